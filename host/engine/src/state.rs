//! The data each component instance's store holds.

use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{
    HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};

use crate::batch::HostBatch;
use crate::guest_log::GuestLog;
use crate::limits::SandboxLimits;

/// How much of a guest's stderr is kept (a panic message is usually in it).
const STDERR_CAPACITY: usize = 64 * 1024;

/// Store data of one component instance.
pub struct HostState {
    pub(crate) component: String,
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: MemoryGuard,
    pub(crate) log: GuestLog,
    pub(crate) stderr: MemoryOutputPipe,
    /// The batch of the call in progress, if any.
    pub(crate) batch: Option<HostBatch>,
}

impl HostState {
    /// The state of a fresh store for `component`: its WASI context (no filesystem or
    /// network; clocks and environment as `limits` allow) and its memory guard.
    pub fn new(component: &str, limits: &SandboxLimits) -> HostState {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let mut wasi = WasiCtxBuilder::new();
        // No preopened directories, no network, no inherited environment or stdio: the
        // builder's defaults deny all of them. Only what the pipeline grants is added.
        wasi.stderr(stderr.clone());
        wasi.allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        for (k, v) in &limits.env {
            wasi.env(k, v);
        }
        if !limits.allow_clock {
            wasi.wall_clock(FrozenClock).monotonic_clock(FrozenClock);
        }
        HostState {
            component: component.to_string(),
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limiter: MemoryGuard::new(
                usize::try_from(limits.memory_max_bytes).unwrap_or(usize::MAX),
            ),
            log: GuestLog::default(),
            stderr,
            batch: None,
        }
    }

    /// The last lines the guest wrote to stderr (e.g. its panic message).
    pub(crate) fn stderr_tail(&self) -> String {
        let bytes = self.stderr.contents();
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(3)..].join(" | ")
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Wraps wasmtime's store limits to remember that the memory limit was hit, so a trap
/// can be reported as "out of memory" rather than as an anonymous trap.
pub(crate) struct MemoryGuard {
    limits: StoreLimits,
    pub(crate) hit: bool,
    /// The most linear memory granted so far, in bytes.
    pub(crate) peak: usize,
}

impl MemoryGuard {
    fn new(memory_bytes: usize) -> MemoryGuard {
        MemoryGuard {
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                // Without this a failed grow returns -1 and many guests spin or abort
                // in confusing ways; a trap stops every guest language cleanly.
                .trap_on_grow_failure(true)
                .build(),
            hit: false,
            peak: 0,
        }
    }
}

impl ResourceLimiter for MemoryGuard {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let result = self.limits.memory_growing(current, desired, maximum);
        if matches!(result, Ok(true)) {
            self.peak = self.peak.max(desired);
        } else {
            self.hit = true;
        }
        result
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
}

/// A clock that never moves: what a guest sees unless the pipeline grants the clock.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        // Not 0: runtimes take a zero monotonic reading for a broken clock (Go's
        // `runtime.main` throws "nanotime returning zero").
        1
    }
}
