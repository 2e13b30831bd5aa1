//! `sluice bench`: throughput measurements that need more than a micro-benchmark.
//!
//! `sluice bench e2e` fills a topic on an Apache Kafka broker (a separate process, started
//! and stopped by the command; librdkafka's mock cluster slows down as a partition grows,
//! so it must never be benchmarked against), reads it once with a bare librdkafka consumer as the baseline, then runs
//! the pipeline of `config/demo/bench.yaml` over the same topic into a Kinetica
//! emulator — with multi-head ingest, through the head node only, with a Wasm transform
//! and with exactly-once — and over a twin topic of the same records as Avro (through
//! a Schema Registry it starts, `sluice_schema_registry::local`) with multi-head ingest,
//! and prints records/s, MB/s and the ratio to the baseline.
//!
//! `sluice bench source` measures the other direction: a Kinetica table's rows into Kafka.
//!
//! `sluice bench swap` measures hot swaps of a transform under a steady stream, made
//! through the daemon's REST API as an operator makes them.

mod e2e;
mod emulator;

pub(crate) use e2e::parse_property;
mod report;
mod source;
mod swap;
mod usage;

use std::process::ExitCode;

/// `sluice bench …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Kafka (an Apache Kafka broker it starts) → pipeline → Kinetica emulator, compared
    /// with a raw librdkafka consumer of the same topic; JSON, and Avro through a Schema
    /// Registry it starts. Needs a JDK and Maven.
    E2e(e2e::Args),
    /// Kinetica (an emulator it starts, with table monitors) → the source pipeline →
    /// Kafka (an Apache Kafka broker it starts): rows/s catching up and following the
    /// monitor, with and without exactly-once, compared with a raw librdkafka producer.
    /// Needs a JDK and Maven.
    Source(source::Args),
    /// Hot swaps of a transform under a steady stream (an Apache Kafka broker, a
    /// Kinetica emulator and a daemon it starts), made with `PUT
    /// /connectors/{name}/transforms/{alias}` back and forth between two versions: each
    /// swap's latency, request → every task ran a batch on the new version. Needs a JDK
    /// and Maven.
    Swap(swap::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::E2e(args) => e2e::run(args),
            Command::Source(args) => source::run(args),
            Command::Swap(args) => swap::run(args),
        }
    }
}
