//! What a benchmark run costs this process: CPU time (user + system, every thread,
//! librdkafka's included) and peak resident memory. The broker, the registry and the
//! Kinetica emulator run in processes of their own, so neither counts them; the
//! emulator's CPU time and the machine's busy share are measured apart, because on a
//! small machine they bound the rates as much as the pipeline's own CPU does.

use std::time::Duration;

/// CPU time this process has used so far.
pub fn cpu_time() -> Duration {
    cpu_time::ProcessTime::now().as_duration()
}

// `/proc` is read directly rather than through a crate (`procfs`): two numbers from two
// files, for a benchmark that runs on Linux only.

/// The CPU time another process (the emulator) has used so far, from
/// `/proc/<pid>/stat` (user + system, in the kernel's clock ticks); `None` off Linux
/// or once it is gone.
pub fn process_cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count the
    // fields after its closing one. utime and stime are fields 14 and 15.
    let mut fields = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .skip(11);
    let ticks: u64 = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(ticks_to_duration(ticks))
}

/// Time every CPU of the machine has spent busy and in all, so far (the `cpu` line of
/// `/proc/stat`): what the broker, the emulator and the pipeline share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineTime {
    pub busy: Duration,
    pub total: Duration,
}

impl MachineTime {
    pub fn now() -> Option<MachineTime> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        MachineTime::parse(stat.lines().next()?)
    }

    /// `cpu  user nice system idle iowait irq softirq steal …` (in clock ticks).
    fn parse(line: &str) -> Option<MachineTime> {
        let ticks: Vec<u64> = line
            .strip_prefix("cpu ")?
            .split_whitespace()
            .take(8)
            .map(|t| t.parse().ok())
            .collect::<Option<_>>()?;
        let [user, nice, system, idle, iowait, irq, softirq, steal] = ticks[..] else {
            return None;
        };
        let busy = user + nice + system + irq + softirq + steal;
        Some(MachineTime {
            busy: ticks_to_duration(busy),
            total: ticks_to_duration(busy + idle + iowait),
        })
    }

    /// The share of the machine's CPU time spent busy since `earlier` (1.0: every CPU
    /// busy all the time).
    pub fn busy_since(&self, earlier: &MachineTime) -> f64 {
        let total = self.total.saturating_sub(earlier.total).as_secs_f64();
        self.busy.saturating_sub(earlier.busy).as_secs_f64() / total.max(f64::MIN_POSITIVE)
    }
}

/// `/proc` counts CPU time in clock ticks (`USER_HZ`: 100 per second on x86 Linux).
fn ticks_to_duration(ticks: u64) -> Duration {
    #[allow(unsafe_code)]
    // SAFETY: sysconf takes no pointer and only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = u64::try_from(per_second)
        .ok()
        .filter(|&t| t > 0)
        .unwrap_or(100);
    // In two parts: a busy machine's total since boot overflows ticks × 10⁹.
    Duration::from_secs(ticks / per_second)
        + Duration::from_nanos((ticks % per_second) * 1_000_000_000 / per_second)
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
    fn the_machine_line_of_proc_stat_is_read_in_ticks() {
        let t = MachineTime::parse("cpu  100 5 50 800 20 3 2 10 0 0").unwrap();
        assert_eq!(t.busy, Duration::from_millis(1700));
        assert_eq!(t.total, Duration::from_millis(9900));
        let later = MachineTime::parse("cpu  150 5 100 850 20 3 2 10 0 0").unwrap();
        assert!((later.busy_since(&t) - 100.0 / 150.0).abs() < 1e-9);
        assert_eq!(MachineTime::parse("intr 1 2 3"), None);
        // A large machine's counters since boot: no overflow.
        let big = MachineTime::parse("cpu  200000000000 0 0 0 0 0 0 0").unwrap();
        assert_eq!(big.busy, Duration::from_secs(2_000_000_000));
        assert!(
            MachineTime::now().is_some(),
            "no /proc/stat: Linux is needed"
        );
    }

    #[test]
    fn another_process_cpu_time_is_read_from_proc() {
        let mine = process_cpu_time(std::process::id()).expect("/proc/self/stat");
        let mut x = 0u64;
        let before = cpu_time();
        while cpu_time() - before < Duration::from_millis(30) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        assert!(x > 0);
        let later = process_cpu_time(std::process::id()).unwrap();
        assert!(
            later >= mine + Duration::from_millis(10),
            "{mine:?} → {later:?}"
        );
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
