//! The clock of every boundary benchmark: thread CPU time, median of rounds.

// Thread CPU time comes from libc's clock_gettime.
#![allow(unsafe_code)]

/// CPU time of this thread: unlike wall time it does not count the time the thread
/// waits for a core, so the figures hold on a busy 2-core machine.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Median CPU nanoseconds per item of `run`, each call handling `items` items, over 15
/// timed rounds of `calls` calls (after a few untimed ones). Each call's input is made
/// by `input` before the clock starts, and its output is dropped after the clock
/// stops: a pipeline moves batches in and out, it does not copy them.
pub fn measure_items<I, O>(
    items: usize,
    calls: usize,
    mut input: impl FnMut() -> I,
    mut run: impl FnMut(I) -> O,
) -> f64 {
    for _ in 0..calls.clamp(2, 20) {
        run(input());
    }
    let mut rounds = Vec::new();
    for _ in 0..15 {
        let inputs: Vec<I> = (0..calls).map(|_| input()).collect();
        let mut outputs = Vec::with_capacity(calls);
        let start = thread_cpu_ns();
        for i in inputs {
            outputs.push(run(i));
        }
        rounds.push((thread_cpu_ns() - start) as f64 / (calls * items) as f64);
        drop(outputs);
    }
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}
