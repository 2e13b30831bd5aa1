//! Emulator settings.

/// What a worker rank does with rows whose shard key belongs to another rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MisroutedPolicy {
    /// Reject the whole request with an ERROR envelope and store nothing, so a
    /// test notices any routing mistake (the default).
    #[default]
    Reject,
    /// Store the rows anyway and answer `info.data_rerouted = "true"`, as a real
    /// cluster does while forwarding rows between ranks.
    Reroute,
}

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Head-node port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Number of worker ranks (each on its own ephemeral port). 0 disables
    /// worker HTTP servers (`conf.enable_worker_http_servers = FALSE`).
    pub workers: usize,
    /// Shards in the `/admin/show/shards` table, assigned round-robin to ranks.
    pub shards: usize,
    /// Misrouted-row behaviour of worker ranks.
    pub misrouted: MisroutedPolicy,
    /// Reported as `version.gpudb_core_version` (clients need ≥ 4 numeric parts).
    pub version: String,
    /// Serve HTTPS with this certificate on every node (head and worker ranks); `None`:
    /// plain HTTP. The URLs become `https://127.0.0.1:<port>`, so the certificate
    /// should name the IP address `127.0.0.1` for clients that check host names.
    pub tls: Option<EmulatorTls>,
    /// Serve table monitors (`/create/tablemonitor`) on a ZMQ socket on
    /// `127.0.0.1:<port>` (0: a free port, see `EmulatorHandle::monitor_port`); `None`:
    /// no monitors, as a server with `conf.set_monitor_port = -1`.
    pub monitor_port: Option<u16>,
}

/// A server certificate (with any intermediates) and its private key, PEM text.
#[derive(Clone)]
pub struct EmulatorTls {
    /// The server's certificate first, then intermediates, as PEM `CERTIFICATE` blocks.
    pub cert_chain_pem: String,
    /// The certificate's private key (PKCS#8, PKCS#1 or SEC1 PEM).
    pub key_pem: String,
}

impl std::fmt::Debug for EmulatorTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorTls")
            .field(
                "cert_chain_pem",
                &format!("{} bytes", self.cert_chain_pem.len()),
            )
            .field("key_pem", &"[hidden]")
            .finish()
    }
}

impl EmulatorTls {
    /// Reads the certificate chain and key from PEM files.
    pub fn from_files(
        cert_chain: &std::path::Path,
        key: &std::path::Path,
    ) -> anyhow::Result<EmulatorTls> {
        use anyhow::Context;
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
        };
        Ok(EmulatorTls {
            cert_chain_pem: read(cert_chain)?,
            key_pem: read(key)?,
        })
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            workers: 0,
            shards: 64,
            misrouted: MisroutedPolicy::Reject,
            version: "7.2.3.13.20250101000000".into(),
            tls: None,
            monitor_port: None,
        }
    }
}

impl EmulatorConfig {
    /// Defaults with `workers` worker ranks.
    pub fn with_workers(workers: usize) -> Self {
        EmulatorConfig {
            workers,
            ..Self::default()
        }
    }
}
