//! A `sluice run` daemon as the REST and status-page tests start it (a child process
//! whose API address comes from its start-up line), a client of its API, and a steady
//! stream of records to give its pipelines something to do.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::HeaderMap;
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

pub fn start_daemon_args(
    dir: &std::path::Path,
    worker: &str,
    pipelines: &[&std::path::Path],
    instance: &str,
    extra: &[&std::ffi::OsStr],
) -> (Running, String) {
    let (daemon, url, _) = launch(dir, worker, pipelines, instance, extra, LOG_LEVEL);
    (daemon, url)
}

/// The daemons' log filter unless a test needs another.
pub const LOG_LEVEL: &str = "info,librdkafka=warn";

/// Everything a daemon wrote to stderr so far, line by line (it is echoed too).
#[derive(Clone, Default)]
pub struct Log(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Log {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Starts `sluice run --log-level <log_level> --worker <file> <extra> <pipelines>` as
/// instance `instance`: the process, its REST API's address (from the start-up line)
/// and its stderr.
pub fn launch(
    dir: &std::path::Path,
    worker: &str,
    pipelines: &[&std::path::Path],
    instance: &str,
    extra: &[&std::ffi::OsStr],
    log_level: &str,
) -> (Running, String, Log) {
    let file = dir.join(format!("worker-{instance}.yaml"));
    std::fs::write(&file, worker).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--log-level", log_level, "run", "--worker"])
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
    let log = Log::default();
    let kept = log.clone();
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
            kept.0.lock().unwrap().push(line);
        }
    });
    let url = rx
        .recv_timeout(TIMEOUT)
        .expect("the REST API's start-up line");
    (Running(Some(child)), url, log)
}

/// A daemon's worker file: a free loopback port, and [`TOKEN`].
pub fn worker_with_token() -> String {
    format!("rest.listener: 127.0.0.1:0\nrest.auth.token: {TOKEN}\n")
}

#[derive(Clone)]
pub struct Api {
    pub client: Client,
    /// `http://host:port`, no trailing slash.
    pub url: String,
}

impl Api {
    /// A daemon with no pipeline files whose API needs [`TOKEN`], and its API.
    pub fn start(dir: &std::path::Path) -> (Running, Api) {
        let (daemon, url) = start_daemon(dir, &worker_with_token());
        (daemon, Api::at(url))
    }

    /// The API at `url`.
    pub fn at(url: String) -> Api {
        let client = Client::builder().timeout(TIMEOUT).build().unwrap();
        Api { client, url }
    }

    /// Sends `request` with [`TOKEN`]: its status, headers and body (JSON, else the
    /// text as a JSON string; null when empty).
    pub fn exchange(&self, request: RequestBuilder) -> (StatusCode, HeaderMap, Value) {
        let response: Response = request.bearer_auth(TOKEN).send().unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, body)
    }
    pub fn call(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let (status, _, body) = self.exchange(request);
        (status, body)
    }
    pub fn request(&self, method: Method, path: &str, body: Option<Value>) -> RequestBuilder {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request
    }
    pub fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(self.client.get(format!("{}{path}", self.url)))
    }
    pub fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(self.request(method, path, body))
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
    /// The transforms of connector `name` as `GET …/transforms` lists them.
    pub fn transforms(&self, name: &str) -> Value {
        self.get(&format!("/connectors/{name}/transforms")).1
    }
}

/// Tweets produced in small batches, one after another to each of `partitions`
/// partitions, until stopped; how many.
pub struct Stream {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<i64>,
}

impl Stream {
    pub fn start(bootstrap: &str, topic: &'static str, partitions: i32) -> Stream {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, bootstrap) = (stop.clone(), bootstrap.to_owned());
        let thread = std::thread::spawn(move || {
            let mut next = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                for partition in 0..partitions {
                    super::produce_tweets_to(&bootstrap, topic, partition, next..next + 20);
                    next += 20;
                }
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
