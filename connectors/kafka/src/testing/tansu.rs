//! The `tansu` Kafka-compatible broker as a child process.

use std::collections::BTreeMap;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

use crate::{Error, Result};

/// How to get `tansu` when it is missing.
pub const TANSU_INSTALL_HINT: &str = "install it with `cargo install tansu --locked --features dynostore` \
     (a 15-20 minute release build) and put ~/.cargo/bin on the PATH, or set TANSU to the binary";

/// How long a broker may take to accept clients.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A `tansu` broker with in-memory storage on a free loopback port, killed on drop.
pub struct TansuBroker {
    child: Child,
    binary: PathBuf,
    bootstrap_servers: String,
    log: PathBuf,
}

impl TansuBroker {
    /// Starts a broker and returns once it answers metadata requests. Fails, with
    /// [`TANSU_INSTALL_HINT`], when `tansu` is not installed.
    pub fn start() -> Result<TansuBroker> {
        let binary = find_tansu()?;
        // The port is free when picked but could be taken before tansu binds it: retry.
        let mut last_error = None;
        for _ in 0..3 {
            match TansuBroker::start_on_free_port(&binary) {
                Ok(broker) => return Ok(broker),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    fn start_on_free_port(binary: &Path) -> Result<TansuBroker> {
        let port = free_port()?;
        let url = format!("tcp://127.0.0.1:{port}");
        let log =
            std::env::temp_dir().join(format!("sluice-tansu-{}-{port}.log", std::process::id()));
        let log_file = File::create(&log)
            .map_err(|e| Error::Testing(format!("cannot create {}: {e}", log.display())))?;
        let stderr = log_file
            .try_clone()
            .map_err(|e| Error::Testing(format!("cannot share {}: {e}", log.display())))?;
        let child = Command::new(binary)
            .args(["broker", "--storage-engine", "memory://tansu/"])
            .args(["--listener-url", &url, "--advertised-listener-url", &url])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(stderr)
            .spawn()
            .map_err(|e| Error::Testing(format!("cannot run {}: {e}", binary.display())))?;
        let mut broker = TansuBroker {
            child,
            binary: binary.to_path_buf(),
            bootstrap_servers: format!("127.0.0.1:{port}"),
            log,
        };
        broker.wait_until_ready()?;
        Ok(broker)
    }

    /// Polls with metadata requests until the broker answers, the process exits or
    /// [`START_TIMEOUT`] passes.
    fn wait_until_ready(&mut self) -> Result<()> {
        let client: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap_servers)
            .set("reconnect.backoff.ms", "10")
            .set("reconnect.backoff.max.ms", "100")
            .create()
            .map_err(|e| Error::Testing(format!("cannot create a metadata client: {e}")))?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().ok().flatten() {
                return Err(Error::Testing(format!(
                    "tansu exited ({status}) before accepting clients on {}:\n{}",
                    self.bootstrap_servers,
                    self.log_tail()
                )));
            }
            // Each attempt blocks until an answer or its timeout: no fixed sleeps.
            match client.fetch_metadata(None, Duration::from_millis(500)) {
                Ok(metadata) if !metadata.brokers().is_empty() => return Ok(()),
                _ if Instant::now() >= deadline => {
                    return Err(Error::Testing(format!(
                        "tansu did not answer on {} within {START_TIMEOUT:?}:\n{}",
                        self.bootstrap_servers,
                        self.log_tail()
                    )));
                }
                _ => {}
            }
        }
    }

    /// Consumer properties for reading from tansu. tansu 0.6 sleeps after every fetch,
    /// also one that found records, for up to half of `fetch.wait.max.ms`: with
    /// librdkafka's 500 ms, 500 000 × 100 B records are read at ~180 000 msg/s; with
    /// 10 ms at ~2 000 000 msg/s.
    pub fn consumer_properties() -> BTreeMap<String, String> {
        BTreeMap::from([("fetch.wait.max.ms".to_string(), "10".to_string())])
    }

    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap_servers
    }

    /// Creates a topic with `tansu topic create`.
    pub fn create_topic(&self, topic: &str, partitions: i32) -> Result<()> {
        let output = Command::new(&self.binary)
            .args([
                "topic",
                "create",
                topic,
                "--partitions",
                &partitions.to_string(),
            ])
            .args(["--broker", &format!("tcp://{}", self.bootstrap_servers)])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Testing(format!("cannot run {}: {e}", self.binary.display())))?;
        if !output.status.success() {
            return Err(Error::Testing(format!(
                "tansu cannot create topic {topic} on {} ({}): {}{}",
                self.bootstrap_servers,
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(())
    }

    /// The broker's own log, for diagnosing a failed test.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for TansuBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// `$TANSU`, else `tansu` on the PATH, else in cargo's bin directory (where `cargo
/// install` puts it, which is not always on a CI runner's PATH).
fn find_tansu() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TANSU") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::Testing(format!(
                "TANSU={} is not a file; {TANSU_INSTALL_HINT}",
                path.display()
            )))
        };
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>());
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|cargo| cargo.join("bin"));
    on_path
        .chain(cargo_bin)
        .map(|dir| dir.join("tansu"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| Error::Testing(format!("`tansu` is not on the PATH: {TANSU_INSTALL_HINT}")))
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| Error::Testing(format!("no free port on 127.0.0.1: {e}")))
}
