//! A `sluice run` daemon as the REST and status-page tests start it (a child process
//! whose API address comes from its start-up line), a client of its API, and a steady
//! stream of records to give its pipelines something to do.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::Running;

/// How long a daemon may take to start or answer.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// The `rest.auth.token` of [`Api::start`]'s daemon.
pub const TOKEN: &str = "s3cret-token";

/// `sluice run --worker <file>` with no pipeline files; the REST API's address from its
/// start-up line.
pub fn start_daemon(dir: &std::path::Path, worker: &str) -> (Running, String) {
    start_daemon_with(dir, worker, &[], "rest")
}

/// As [`start_daemon`], with pipeline files, as the Sluice instance `instance`.
pub fn start_daemon_with(
    dir: &std::path::Path,
    worker: &str,
    pipelines: &[&std::path::Path],
    instance: &str,
) -> (Running, String) {
    start_daemon_args(dir, worker, pipelines, instance, &[])
}

/// As [`start_daemon_with`], with more arguments to `sluice run`.
pub fn start_daemon_args(
    dir: &std::path::Path,
    worker: &str,
    pipelines: &[&std::path::Path],
    instance: &str,
    extra: &[&std::ffi::OsStr],
) -> (Running, String) {
    let file = dir.join(format!("worker-{instance}.yaml"));
    std::fs::write(&file, worker).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--log-level", "info,librdkafka=warn", "run", "--worker"])
        .arg(&file)
        .args(extra)
        .args(pipelines)
        .env("SLUICE_INSTANCE_ID", instance)
        .env_remove("RUST_LOG")
        .env_remove("SLUICE_REST_LISTENER")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sluice");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !sent && let Some(at) = line.find("REST API on http") {
                let rest = &line[at + "REST API on ".len()..];
                let url = rest.split_whitespace().next().unwrap().to_owned();
                let _ = tx.send(url);
                sent = true;
            }
            eprintln!("[sluice] {line}");
        }
    });
    let url = rx
        .recv_timeout(TIMEOUT)
        .expect("the REST API's start-up line");
    (Running(Some(child)), url)
}

/// A client of a daemon's REST API that sends [`TOKEN`] with every call.
pub struct Api {
    pub client: Client,
    /// `http://host:port`, no trailing slash.
    pub url: String,
}

impl Api {
    /// A daemon with no pipeline files whose API needs [`TOKEN`], and its API.
    pub fn start(dir: &std::path::Path) -> (Running, Api) {
        let (daemon, url) = start_daemon(
            dir,
            &format!("rest.listener: 127.0.0.1:0\nrest.auth.token: {TOKEN}\n"),
        );
        let client = Client::builder().timeout(TIMEOUT).build().unwrap();
        (daemon, Api { client, url })
    }

    pub fn call(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let response: Response = request.bearer_auth(TOKEN).send().unwrap();
        let status = response.status();
        let text = response.text().unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }
    pub fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(self.client.get(format!("{}{path}", self.url)))
    }
    pub fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.call(request)
    }
    /// `GET /metrics`, the text.
    pub fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.url))
            .send()
            .unwrap()
            .text()
            .unwrap()
    }
    pub fn state(&self, name: &str) -> String {
        let (_, status) = self.get(&format!("/connectors/{name}/status"));
        status["connector"]["state"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// Tweets produced in small batches, one after another, until stopped; how many.
pub struct Stream {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<i64>,
}

impl Stream {
    pub fn start(bootstrap: &str, topic: &'static str) -> Stream {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, bootstrap) = (stop.clone(), bootstrap.to_owned());
        let thread = std::thread::spawn(move || {
            let mut next = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                super::produce_tweets(&bootstrap, topic, next..next + 20);
                next += 20;
            }
            next
        });
        Stream { stop, thread }
    }

    pub fn finish(self) -> i64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}
