//! What a component instance may use.

use std::time::Duration;

/// Per-instance sandbox settings. The defaults suit a transform in a pipeline; every
/// field can be set per transform (`transforms.<alias>.sandbox.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxLimits {
    /// Most linear memory an instance may grow to.
    pub memory_bytes: usize,
    /// CPU budget for one call (one batch). Enforced with epoch interruption, which
    /// costs a few percent, unlike fuel, and stops a spinning guest.
    pub call_timeout: Duration,
    /// Let the guest read the real wall and monotonic clocks. Without it, clocks read
    /// a fixed instant, so transforms stay deterministic and replayable.
    pub allow_clock: bool,
    /// Environment variables handed to the guest (none by default).
    pub env: Vec<(String, String)>,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            memory_bytes: 64 << 20,
            call_timeout: Duration::from_secs(5),
            allow_clock: false,
            env: Vec::new(),
        }
    }
}
