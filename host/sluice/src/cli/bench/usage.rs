//! What a benchmark run costs this process: CPU time (user + system, every thread,
//! librdkafka's included) and peak resident memory. The broker, the registry and the
//! Kinetica emulator run in processes of their own, so neither counts them.

use std::time::Duration;

/// CPU time this process has used so far.
pub fn cpu_time() -> Duration {
    cpu_time::ProcessTime::now().as_duration()
}

/// Starts measuring the peak resident memory from now: memory an earlier phase freed is
/// handed back to the system first (glibc keeps it otherwise), then Linux's high-water
/// mark is reset to the current resident size (`/proc/self/clear_refs`, value 5).
/// Returns the resident size it starts from; `None` where Linux's counters are missing.
pub fn reset_peak_memory() -> Option<u64> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim takes no pointer and only returns free heap pages to the
    // kernel; it is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_bytes("VmRSS:")
}

/// The peak resident memory since [`reset_peak_memory`] (or since the process started).
pub fn peak_memory() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// A `/proc/self/status` line in kB, as bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    let kb: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_at_least_what_is_resident_after_a_reset() {
        let Some(start) = reset_peak_memory() else {
            panic!("no /proc/self/status or clear_refs: Linux is needed");
        };
        // 64 MiB touched page by page must show in the peak.
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let peak = peak_memory().expect("VmHWM");
        assert!(peak >= start + (60 << 20), "start {start}, peak {peak}");
        drop(block);
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let before = cpu_time();
        let mut x = 0u64;
        while cpu_time() - before < Duration::from_millis(5) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        assert!(x > 0);
    }
}
