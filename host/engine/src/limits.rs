//! What a component instance may use: [`SandboxLimits`], declared once with the
//! pipeline grammar's `sandbox.*` properties (`sluice-config`), whose defaults it has.

pub use sluice_config::pipeline::SandboxLimits;
