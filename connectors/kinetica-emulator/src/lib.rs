//! An in-memory Kinetica for tests, `sluice demo` and benchmarks.
//!
//! It speaks Kinetica's REST protocol (binary Avro, `gpudb_response` envelope,
//! HTTP 400 + ERROR envelope on errors, `x-request-time-secs`) for the
//! endpoints Sluice and the official Python client `gpudb` use, keeps typed rows
//! per table, and can run N worker ranks that only accept rows whose shard key
//! they own — so multi-head routing is checked, not assumed.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use sluice_kinetica_emulator::{EmulatorConfig, start};
//! let emu = start(EmulatorConfig::with_workers(3)).await?;
//! println!("Kinetica at {} (workers {:?})", emu.url(), emu.worker_urls());
//! // … run a pipeline against emu.url() …
//! println!("{} rows", emu.row_count("ki_home.orders").unwrap_or(0));
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! With [`EmulatorConfig::tls`] every node (head and worker ranks) serves HTTPS
//! instead of HTTP, and `/show/system/properties` says `conf.use_https = TRUE`.
//!
//! Not emulated: SQL (`/execute/sql`), table monitors (ZMQ), JSON and Snappy
//! request encodings, authentication (any credentials are accepted).

mod config;
mod db;
mod endpoints;
#[cfg(feature = "testing")]
pub mod fault_proxy;
mod filter;
mod http;
mod monitor;
#[cfg(feature = "testing")]
pub mod test_certs;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sluice_kinetica::{KineticaType, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{EmulatorConfig, EmulatorTls, MisroutedPolicy};
pub use db::{DEFAULT_SCHEMA, Stats as EmulatorStats};

use db::{Db, qualify};

/// A running emulator. Dropping it stops the servers (without waiting); call
/// [`EmulatorHandle::shutdown`] to wait for them.
#[derive(Debug)]
pub struct EmulatorHandle {
    db: Arc<Db>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts the head node on `127.0.0.1:config.port` (0 = ephemeral) and
/// `config.workers` worker ranks on ephemeral ports.
pub async fn start(config: EmulatorConfig) -> anyhow::Result<EmulatorHandle> {
    // Checked before binding, so a bad certificate fails without a half-started server.
    let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let head = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .with_context(|| format!("cannot bind the emulator to 127.0.0.1:{}", config.port))?;
    let mut workers = Vec::with_capacity(config.workers);
    for _ in 0..config.workers {
        workers.push(
            TcpListener::bind(("127.0.0.1", 0))
                .await
                .context("cannot bind an emulator worker port")?,
        );
    }
    let url_of = |l: &TcpListener| -> anyhow::Result<String> {
        Ok(format!("{scheme}://{}", l.local_addr()?))
    };
    let head_url = url_of(&head)?;
    let worker_urls = workers
        .iter()
        .map(url_of)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let monitors = match config.monitor_port {
        Some(port) => Some(monitor::Monitors::start(port).await?),
        None => None,
    };
    let db = Arc::new(Db::new(config, head_url, worker_urls, monitors));
    let (stop, stopped) = watch::channel(false);
    let tasks = std::iter::once(head)
        .chain(workers)
        .enumerate()
        .map(|(rank, listener)| {
            let app = http::router(http::Node {
                db: db.clone(),
                rank,
            });
            let mut stopped = stopped.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let shutdown = async move {
                    // Either an explicit stop or the handle being dropped.
                    let _ = stopped.wait_for(|s| *s).await;
                };
                let served = match tls {
                    None => {
                        axum::serve(listener, app)
                            .with_graceful_shutdown(shutdown)
                            .await
                    }
                    Some(config) => match tls::TlsListener::new(listener, config) {
                        Ok(listener) => {
                            axum::serve(listener, app)
                                .with_graceful_shutdown(shutdown)
                                .await
                        }
                        Err(e) => Err(e),
                    },
                };
                if let Err(e) = served {
                    tracing::error!(rank, error = %e, "Kinetica emulator server failed");
                }
            })
        })
        .collect();
    tracing::info!(url = %db.head_url, workers = ?db.worker_urls, "Kinetica emulator started");
    Ok(EmulatorHandle { db, stop, tasks })
}

impl EmulatorHandle {
    /// The head-node URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.db.head_url
    }

    /// The port of the table monitors' ZMQ socket, when they are served
    /// ([`EmulatorConfig::monitor_port`]).
    pub fn monitor_port(&self) -> Option<u16> {
        self.db.monitors.as_ref().map(|m| m.port)
    }

    /// Worker rank URLs; index `k` is rank `k + 1`.
    pub fn worker_urls(&self) -> &[String] {
        &self.db.worker_urls
    }

    /// Qualified names (`schema.table`) of all tables.
    pub fn table_names(&self) -> Vec<String> {
        self.db.read().tables.keys().cloned().collect()
    }

    /// Rows in `table` (qualified or not), `None` if it does not exist.
    pub fn row_count(&self, table: &str) -> Option<usize> {
        let (_, q) = qualify(table).ok()?;
        self.db.read().tables.get(&q).map(|t| t.rows.len())
    }

    /// A copy of the rows of `table`, in insertion order.
    pub fn rows(&self, table: &str) -> Option<Vec<Vec<Value>>> {
        let (_, q) = qualify(table).ok()?;
        self.db.read().tables.get(&q).map(|t| t.rows.clone())
    }

    /// The current type of `table`.
    pub fn table_type(&self, table: &str) -> Option<KineticaType> {
        let (_, q) = qualify(table).ok()?;
        self.db.read().tables.get(&q).map(|t| t.ty.clone())
    }

    /// Schemas, including `ki_home`.
    pub fn schema_names(&self) -> Vec<String> {
        self.db.read().schemas.iter().cloned().collect()
    }

    /// Routing and request statistics.
    pub fn stats(&self) -> EmulatorStats {
        self.db.stats.lock().expect("stats lock").clone()
    }

    /// The `/admin/show/shards` table: `(version, ranks)`.
    pub fn shard_map(&self) -> (i64, Vec<i32>) {
        let s = self.db.shard_state();
        (s.version, s.ranks)
    }

    /// Moves shards: replaces the shard-to-rank table and bumps its version, as
    /// a rebalance would. Returns the new version. Test support (`testing` feature).
    #[cfg(feature = "testing")]
    pub fn set_shard_ranks(&self, ranks: Vec<i32>) -> i64 {
        assert!(!ranks.is_empty(), "a shard table needs at least one shard");
        let mut s = self.db.shards.write().expect("shard lock");
        *s = db::ShardState {
            version: s.version + 1,
            ranks,
        };
        s.version
    }

    /// Makes the next `times` requests to `endpoint` (e.g. `/insert/records`, on
    /// any node) fail with `http_status` and an ERROR envelope carrying
    /// `message` — for testing retries and error classification (`testing` feature).
    #[cfg(feature = "testing")]
    pub fn inject_failure(&self, endpoint: &str, times: usize, http_status: u16, message: &str) {
        if times == 0 {
            return;
        }
        self.db.faults.lock().expect("fault lock").push(db::Fault {
            endpoint: endpoint.to_owned(),
            remaining: times,
            http_status,
            message: message.to_owned(),
        });
    }

    /// Ends every failure [`inject_failure`](Self::inject_failure) set up: the
    /// outage is over. Test support (`testing` feature).
    #[cfg(feature = "testing")]
    pub fn clear_failures(&self) {
        self.db.faults.lock().expect("fault lock").clear();
    }

    /// Stops all servers and waits (up to 5 s) for them to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
