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
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            workers: 0,
            shards: 64,
            misrouted: MisroutedPolicy::Reject,
            version: "7.2.3.13.20250101000000".into(),
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
