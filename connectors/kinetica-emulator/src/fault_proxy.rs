//! A TCP proxy in front of the emulator that fails on demand, as a network and a
//! struggling server do: connections reset, HTTP 503 answers, and requests accepted
//! but never answered. Test support (`testing` feature) for the fault drills.
//!
//! Plain threads and blocking sockets: a drill has a handful of connections, and a
//! proxy that shares the emulator's tokio runtime would stall with it.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does with connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward to the emulator.
    None,
    /// Reset every connection as it is accepted (TCP RST).
    Reset,
    /// Read each request and answer `503 Service Unavailable` with no body.
    Unavailable,
    /// Read requests and never answer.
    Silent,
}

struct State {
    fault: Fault,
    /// Open connections, closed when the fault changes so that kept-alive ones see it.
    open: Vec<TcpStream>,
}

/// The proxy; it runs until the process ends.
pub struct FaultProxy {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`).
    pub fn start(upstream: SocketAddr) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State {
            fault: Fault::None,
            open: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(client, upstream, &state));
            }
        });
        Ok(FaultProxy { url, state })
    }

    /// A proxy in front of the emulator's head node (plain HTTP).
    pub fn in_front_of(emulator: &crate::EmulatorHandle) -> std::io::Result<FaultProxy> {
        let upstream = emulator
            .url()
            .trim_start_matches("http://")
            .parse()
            .map_err(|e| std::io::Error::other(format!("{}: {e}", emulator.url())))?;
        FaultProxy::start(upstream)
    }

    /// The proxy's URL, for `kinetica.url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Switches to `fault`, closing the connections open now.
    pub fn set(&self, fault: Fault) {
        let mut state = self.state.lock().expect("proxy lock");
        state.fault = fault;
        for c in state.open.drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

fn serve(client: TcpStream, upstream: SocketAddr, state: &Mutex<State>) {
    let fault = {
        let mut s = state.lock().expect("proxy lock");
        if let Ok(c) = client.try_clone() {
            s.open.push(c);
        }
        s.fault
    };
    match fault {
        Fault::None => forward(client, upstream),
        Fault::Reset => {
            let socket = socket2::Socket::from(client);
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(socket);
        }
        Fault::Unavailable => answer_503(client),
        Fault::Silent => {
            let mut client = client;
            let mut sink = [0u8; 8192];
            while matches!(client.read(&mut sink), Ok(n) if n > 0) {}
        }
    }
}

fn forward(client: TcpStream, upstream: SocketAddr) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    let (mut client, mut server) = (client, server);
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}

/// Answers each request on the connection with a 503 (reads up to the end of the
/// headers and the body its `Content-Length` announces).
fn answer_503(mut client: TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let Some(end) = find(&buf, b"\r\n\r\n") else {
            match client.read(&mut chunk) {
                Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
            continue;
        };
        let headers = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = headers
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < end + 4 + length {
            match client.read(&mut chunk) {
                Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        }
        buf.drain(..end + 4 + length);
        let answer = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n";
        if client.write_all(answer).is_err() {
            return;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
