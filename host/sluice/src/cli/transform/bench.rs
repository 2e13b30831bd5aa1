//! `sluice transform bench COMPONENT --input RECORDS.jsonl [--config k=v]...`: what a
//! component costs per record before it is deployed.
//!
//! The input records are repeated into batches of `--batch` records (a pipeline's batch,
//! one boundary crossing per call) and run `--rounds` times after one warm-up batch
//! (instantiation and the first call's lazy work are not what a running pipeline pays).
//! The cost is the thread's CPU time, which other processes on a busy machine do not
//! inflate; the median round is reported, with the throughput it implies.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;

use super::test::{Run, Runner, read_records};

/// Arguments of `sluice transform bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: Run,
    /// Records per batch (the input is repeated to fill it).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    batch: u64,
    /// Measured batches (after one warm-up batch).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    rounds: u64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let input = read_records(&args.run)?;
    if input.is_empty() {
        bail!("{} holds no records", args.run.input.display());
    }
    let batch: Vec<_> = input
        .iter()
        .cycle()
        .take(args.batch as usize)
        .cloned()
        .collect();
    let mut runner = Runner::load(&args.run)?;
    runner.run(batch.clone())?;
    let mut rounds = Vec::with_capacity(args.rounds as usize);
    for _ in 0..args.rounds {
        let records = batch.clone();
        let started = thread_cpu_time();
        let out = runner.run(records)?;
        rounds.push(thread_cpu_time().saturating_sub(started));
        drop(out);
    }
    rounds.sort();
    let median = rounds[rounds.len() / 2];
    let per_record = median.as_nanos() as f64 / args.batch as f64;
    println!(
        "{}: {:.0} ns CPU per record (median of {} batches of {} records; min {:.0}, max {:.0}); {:.0} records/s on one core",
        args.run.component.display(),
        per_record,
        rounds.len(),
        args.batch,
        rounds[0].as_nanos() as f64 / args.batch as f64,
        rounds[rounds.len() - 1].as_nanos() as f64 / args.batch as f64,
        1e9 / per_record.max(1e-3),
    );
    Ok(ExitCode::SUCCESS)
}

/// This thread's CPU time (user + system).
fn thread_cpu_time() -> Duration {
    cpu_time::ThreadTime::now().as_duration()
}
