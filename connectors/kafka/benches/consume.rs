//! Consume throughput from an Apache Kafka broker (`testing::KafkaBroker`, a separate
//! process): a bare librdkafka `BaseConsumer` (`testing::raw_consume`, the baseline)
//! against `KafkaSource::poll_batch`, which copies every record into a `RawRecord`.
//!
//! Both are timed from their first record to their last, so that connecting and joining
//! the group are left out, and both use librdkafka's default consumer properties.
//! `SLUICE_BENCH_RECORDS` sets the topic size (default 500 000 records of 100 bytes).
//! Needs a JDK and Maven (see `testing::BROKER_INSTALL_HINT`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sluice_kafka::testing::{KafkaBroker, produce_test_records, raw_consume};
use sluice_kafka::{KafkaSource, SourceSettings, Topics};

const TOPIC: &str = "bench";
const VALUE_SIZE: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(120);

fn records() -> u64 {
    std::env::var("SLUICE_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500_000)
}

/// Reads `count` records through the source with a fresh group; returns the time from
/// the first record to the last.
fn source_consume(bootstrap_servers: &str, group: &str, count: u64) -> Duration {
    let mut source = KafkaSource::new(&SourceSettings {
        bootstrap_servers: bootstrap_servers.to_string(),
        group_id: group.to_string(),
        topics: Topics::List(vec![TOPIC.to_string()]),
        properties: BTreeMap::new(),
    })
    .expect("source");
    let deadline = Instant::now() + TIMEOUT;
    let mut first = None;
    let (mut seen, mut bytes) = (0u64, 0usize);
    while seen < count {
        assert!(Instant::now() < deadline, "{seen} of {count} records");
        let batch = source
            .poll_batch(10_000, Duration::from_millis(100))
            .expect("poll");
        if !batch.is_empty() {
            first.get_or_insert_with(Instant::now);
        }
        seen += batch.len() as u64;
        // Touch what a pipeline would, so nothing is optimised away.
        bytes += batch
            .iter()
            .map(|r| r.value.as_ref().map_or(0, |v| v.len()))
            .sum::<usize>();
    }
    let elapsed = first.map_or(Duration::ZERO, |first| first.elapsed());
    std::hint::black_box(bytes);
    elapsed
}

fn bench(c: &mut Criterion) {
    let count = records();
    let broker = KafkaBroker::start().unwrap_or_else(|error| panic!("{error:#}"));
    broker.create_topic(TOPIC, 1).expect("topic");
    let started = Instant::now();
    produce_test_records(broker.bootstrap_servers(), TOPIC, count, VALUE_SIZE).expect("produce");
    eprintln!(
        "produced {count} × {VALUE_SIZE} B in {:?}",
        started.elapsed()
    );

    let mut group = c.benchmark_group("consume");
    group.throughput(Throughput::Elements(count));
    group.sample_size(10);
    group.bench_function("raw_base_consumer", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let stats = raw_consume(
                        broker.bootstrap_servers(),
                        TOPIC,
                        count,
                        TIMEOUT,
                        &BTreeMap::new(),
                    )
                    .expect("raw consume");
                    stats.elapsed
                })
                .sum()
        });
    });
    let groups = AtomicUsize::new(0);
    group.bench_function("kafka_source_poll_batch", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let group = format!("bench-{}", groups.fetch_add(1, Ordering::Relaxed));
                    source_consume(broker.bootstrap_servers(), &group, count)
                })
                .sum()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
