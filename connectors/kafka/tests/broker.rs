//! System tests against Apache Kafka (4.x, KRaft, one node) in a separate process: one
//! broker shared by the tests of this file, each with topics and groups of its own, and a
//! broker of its own for the test that restarts it. They fail, saying what to install,
//! when Java or Maven is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use sluice_kafka::testing::{
    KafkaBroker, consume_exactly, produce_test_records, raw_consume, shared_broker,
    test_record_index,
};
use sluice_kafka::{
    CommitOutcome, KafkaSource, Offsets, PartitionProgress, RebalanceEvent, SourceSettings,
    TopicPartition, Topics, group_progress,
};

const TIMEOUT: Duration = Duration::from_secs(120);

/// `RUST_LOG=sluice_kafka=debug,librdkafka=debug` shows what happened.
fn logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn broker() -> &'static KafkaBroker {
    logs();
    shared_broker()
}

fn settings(bootstrap_servers: &str, group: &str, topic: &str) -> SourceSettings {
    SourceSettings {
        bootstrap_servers: bootstrap_servers.to_string(),
        group_id: group.to_string(),
        topics: Topics::List(vec![topic.to_string()]),
        properties: BTreeMap::new(),
    }
}

/// Partition → committed offset (-1 for none), and partition → high watermark.
fn committed_and_ends(progress: &[PartitionProgress]) -> (BTreeMap<i32, i64>, BTreeMap<i32, i64>) {
    (
        progress
            .iter()
            .map(|p| (p.partition, p.committed.unwrap_or(-1)))
            .collect(),
        progress
            .iter()
            .map(|p| (p.partition, p.high_watermark))
            .collect(),
    )
}

#[test]
fn ten_thousand_records_are_consumed_once_and_in_order() {
    let broker = broker();
    broker.create_topic("ten-k", 3).unwrap();
    produce_test_records(broker.bootstrap_servers(), "ten-k", 10_000, 100).unwrap();

    let mut source = KafkaSource::new(&settings(
        broker.bootstrap_servers(),
        "ten-k-group",
        "ten-k",
    ))
    .unwrap();
    let records = consume_exactly(&mut source, 10_000, TIMEOUT).unwrap();
    let mut indices: Vec<u64> = records
        .iter()
        .map(|r| test_record_index(r.value.as_deref().unwrap()).unwrap())
        .collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..10_000).collect::<Vec<_>>());
    // Each partition's offsets are 0, 1, 2, … in the order they were handed out.
    let mut next: BTreeMap<i32, i64> = BTreeMap::new();
    for record in &records {
        let expected = next.entry(record.partition).or_default();
        assert_eq!(record.offset, *expected, "{}", record.coordinates());
        *expected += 1;
    }
    assert_eq!(next.len(), 3);
    assert!(
        source
            .poll_batch(100, Duration::from_millis(300))
            .unwrap()
            .is_empty()
    );

    source.commit(&Offsets::of(&records)).unwrap();
    // The committed offset of each partition is the next one to read, which is its high
    // watermark: everything was consumed.
    let progress =
        group_progress(broker.bootstrap_servers(), "ten-k-group", "ten-k", TIMEOUT).unwrap();
    let (committed, ends) = committed_and_ends(&progress);
    assert_eq!(committed, next);
    assert_eq!(ends, next);

    let raw = raw_consume(
        broker.bootstrap_servers(),
        "ten-k",
        10_000,
        TIMEOUT,
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(raw.records, 10_000);
    assert_eq!(
        raw.bytes,
        records
            .iter()
            .map(|r| (r.key.as_ref().unwrap().len() + 100) as u64)
            .sum::<u64>()
    );
}

/// What one member did with one batch: wrote it to the "sink", then committed.
struct Written {
    member: char,
    /// (partition, offset, record index)
    records: Vec<(i32, i64, u64)>,
    outcome: CommitOutcome,
}

/// A task's loop: poll → write → commit → poll, until told to stop.
fn run_member(
    member: char,
    settings: SourceSettings,
    stop: Arc<AtomicBool>,
    written: mpsc::Sender<Written>,
) -> (Vec<RebalanceEvent>, Vec<TopicPartition>) {
    let mut source = KafkaSource::new(&settings).unwrap();
    let mut events = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let batch = source.poll_batch(200, Duration::from_millis(100)).unwrap();
        events.extend(source.take_events());
        if batch.is_empty() {
            // A commit deferred by a rebalance is retried with the next commit; with no
            // new records that is this empty one (as the pipeline does when idle).
            let outcome = source.commit(&Offsets::default()).unwrap();
            if !outcome.committed.is_empty() {
                written
                    .send(Written {
                        member,
                        records: Vec::new(),
                        outcome,
                    })
                    .unwrap();
            }
            continue;
        }
        let records = batch
            .iter()
            .map(|r| {
                (
                    r.partition,
                    r.offset,
                    test_record_index(r.value.as_deref().unwrap()).unwrap(),
                )
            })
            .collect();
        let outcome = source.commit(&Offsets::of(&batch)).unwrap();
        written
            .send(Written {
                member,
                records,
                outcome,
            })
            .unwrap();
    }
    let assignment = source.assignment().unwrap();
    (events, assignment)
}

/// Member A reads a 4-partition topic while records keep arriving; member B joins the
/// group mid-stream. Asserts:
/// 1. no loss: every produced record was written by A or B;
/// 2. every produced record was written in a batch whose partition was then committed;
/// 3. a record written twice had, on at least one of its writes, a commit that did not
///    go through (partition no longer assigned, or deferred) — and with this contract
///    that should not happen at all, so each partition's records, in the order A and B
///    wrote them, are exactly offsets 0, 1, 2, … when no commit was missed;
/// 4. the partitions were split: at the end A and B own disjoint, non-empty sets that
///    cover the topic, A saw a revocation, and B wrote records;
/// 5. the group's committed offset of every partition is one past the last offset written
///    there, and these add up to the number of records produced.
#[test]
fn a_member_joining_mid_stream_takes_over_partitions_without_loss() {
    const TOPIC: &str = "rebalance";
    const CHUNK: u64 = 500;
    let broker = broker();
    broker.create_topic(TOPIC, 4).unwrap();
    let settings = settings(broker.bootstrap_servers(), "rebalance-group", TOPIC);
    let stop = Arc::new(AtomicBool::new(false));
    let (written_tx, written_rx) = mpsc::channel();

    let spawn = |member: char| {
        let (settings, stop, written) = (settings.clone(), Arc::clone(&stop), written_tx.clone());
        thread::spawn(move || run_member(member, settings, stop, written))
    };
    let a = spawn('A');
    let mut b = None;

    let deadline = Instant::now() + TIMEOUT;
    let mut log: Vec<Written> = Vec::new();
    let mut produced = 0u64;
    let mut chunks_after_split = 0;
    let collect = |log: &mut Vec<Written>, wait: Duration| {
        if let Ok(written) = written_rx.recv_timeout(wait) {
            log.push(written);
        }
        log.extend(written_rx.try_iter());
    };
    // Keep records flowing until B has taken part and both have written after B joined,
    // then a few chunks more.
    while chunks_after_split < 5 {
        assert!(Instant::now() < deadline, "B never took over any partition");
        produce_test_records(broker.bootstrap_servers(), TOPIC, CHUNK, 100).unwrap();
        produced += CHUNK;
        collect(&mut log, Duration::from_millis(200));
        let wrote = |member: char| {
            log.iter()
                .filter(|w| w.member == member && !w.records.is_empty())
                .count()
        };
        if b.is_none() && wrote('A') > 0 {
            b = Some(spawn('B'));
        }
        // B wrote, and A wrote again after that: the partitions were split.
        let split = log
            .iter()
            .position(|w| w.member == 'B' && !w.records.is_empty())
            .is_some_and(|first_b| {
                log[first_b..]
                    .iter()
                    .any(|w| w.member == 'A' && !w.records.is_empty())
            });
        if split {
            chunks_after_split += 1;
        }
    }
    // Produced is a multiple of CHUNK; every chunk restarts its indices at 0, so records
    // are told apart by (partition, offset) and counted by index per chunk below.
    let expected_total = produced as usize;
    // Commits are cumulative per partition: a record counts as committed once its
    // member commits its partition in the same write or a later one (a deferred commit
    // goes out with the member's next commit).
    let committed_count = |log: &[Written]| {
        let mut pending: Vec<(char, i32, i64)> = Vec::new();
        let mut committed = BTreeSet::new();
        for w in log {
            pending.extend(w.records.iter().map(|(p, o, _)| (w.member, *p, *o)));
            pending.retain(|(m, p, o)| {
                let done =
                    *m == w.member && w.outcome.committed.iter().any(|tp| tp.partition == *p);
                if done {
                    committed.insert((*p, *o));
                }
                !done
            });
        }
        committed.len()
    };
    while committed_count(&log) < expected_total {
        assert!(
            Instant::now() < deadline,
            "{} of {expected_total} records committed",
            committed_count(&log)
        );
        collect(&mut log, Duration::from_millis(200));
    }
    stop.store(true, Ordering::Relaxed);
    let (events_a, assignment_a) = a.join().unwrap();
    let (_, assignment_b) = b.unwrap().join().unwrap();
    log.extend(written_rx.try_iter());

    // 1 and 2.
    let mut written_coordinates: BTreeMap<(i32, i64), usize> = BTreeMap::new();
    let mut missed_commit: BTreeSet<(i32, i64)> = BTreeSet::new();
    let mut per_chunk_index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut in_write_order: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for w in &log {
        for (partition, offset, index) in &w.records {
            let times = written_coordinates
                .entry((*partition, *offset))
                .or_default();
            *times += 1;
            if *times == 1 {
                *per_chunk_index.entry(*index).or_default() += 1;
            }
            in_write_order.entry(*partition).or_default().push(*offset);
            if !w
                .outcome
                .committed
                .iter()
                .any(|tp| tp.partition == *partition)
            {
                missed_commit.insert((*partition, *offset));
            }
        }
    }
    assert_eq!(written_coordinates.len(), expected_total, "records lost");
    let chunks = (produced / CHUNK) as usize;
    assert!(
        per_chunk_index.len() == CHUNK as usize && per_chunk_index.values().all(|n| *n == chunks),
        "every index of every chunk must have been written"
    );
    assert_eq!(committed_count(&log), expected_total);

    // 3.
    for (coordinates, times) in &written_coordinates {
        assert!(
            *times == 1 || missed_commit.contains(coordinates),
            "{coordinates:?} written {times} times"
        );
    }
    if missed_commit.is_empty() {
        for (partition, offsets) in &in_write_order {
            let high = offsets.len() as i64;
            assert_eq!(
                *offsets,
                (0..high).collect::<Vec<_>>(),
                "partition {partition}"
            );
        }
    }

    // 4.
    let a_set: BTreeSet<_> = assignment_a.into_iter().collect();
    let b_set: BTreeSet<_> = assignment_b.into_iter().collect();
    let all: BTreeSet<_> = (0..4).map(|p| TopicPartition::new(TOPIC, p)).collect();
    assert!(
        !a_set.is_empty() && !b_set.is_empty(),
        "A: {a_set:?}, B: {b_set:?}"
    );
    assert!(a_set.is_disjoint(&b_set));
    assert_eq!(a_set.union(&b_set).cloned().collect::<BTreeSet<_>>(), all);
    assert!(
        events_a
            .iter()
            .any(|e| matches!(e, RebalanceEvent::Revoked { .. })),
        "{events_a:?}"
    );
    assert!(log.iter().any(|w| w.member == 'B' && !w.records.is_empty()));

    // 5.
    let progress = group_progress(
        broker.bootstrap_servers(),
        "rebalance-group",
        TOPIC,
        TIMEOUT,
    )
    .unwrap();
    let (committed, high_watermarks) = committed_and_ends(&progress);
    let ends: BTreeMap<i32, i64> = in_write_order
        .iter()
        .map(|(partition, offsets)| (*partition, offsets.iter().max().unwrap() + 1))
        .collect();
    assert_eq!(committed, ends);
    assert_eq!(high_watermarks, ends, "every record produced was written");
    assert_eq!(ends.values().sum::<i64>() as usize, expected_total);
    eprintln!(
        "rebalance test: {expected_total} records, {} batches, {} records written twice",
        log.len(),
        written_coordinates.values().filter(|n| **n > 1).count()
    );
}

/// Records, commits and the consumer group survive a clean restart and a crash of the
/// broker (same ports, same log directory), and a source that stays up across both reads
/// on where it left off: nothing lost, nothing twice.
#[test]
fn a_restarted_broker_keeps_records_and_committed_offsets() {
    const TOPIC: &str = "restarts";
    const GROUP: &str = "restarts-group";
    const CHUNK: u64 = 1_000;
    logs();
    let mut broker = KafkaBroker::start().unwrap_or_else(|error| panic!("{error:#}"));
    let bootstrap = broker.bootstrap_servers().to_string();
    broker.create_topic(TOPIC, 2).unwrap();
    let mut source = KafkaSource::new(&settings(&bootstrap, GROUP, TOPIC)).unwrap();
    let mut read = Vec::new();
    let chunk = |source: &mut KafkaSource, read: &mut Vec<(i32, i64)>| {
        produce_test_records(&bootstrap, TOPIC, CHUNK, 100).unwrap();
        let records = consume_exactly(source, CHUNK as usize, TIMEOUT).unwrap();
        let mut indices: Vec<u64> = records
            .iter()
            .map(|r| test_record_index(r.value.as_deref().unwrap()).unwrap())
            .collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..CHUNK).collect::<Vec<_>>());
        source.commit(&Offsets::of(&records)).unwrap();
        read.extend(records.iter().map(|r| (r.partition, r.offset)));
    };

    chunk(&mut source, &mut read);
    broker.restart().unwrap();
    assert_eq!(broker.bootstrap_servers(), bootstrap);
    chunk(&mut source, &mut read);
    broker.kill().unwrap();
    assert!(!broker.is_running());
    broker.start_again().unwrap();
    chunk(&mut source, &mut read);
    assert!(
        source
            .poll_batch(100, Duration::from_millis(300))
            .unwrap()
            .is_empty()
    );

    // Each (partition, offset) once: no record was handed out twice across the restarts.
    let unique: BTreeSet<_> = read.iter().copied().collect();
    assert_eq!(unique.len(), read.len());
    assert_eq!(read.len() as u64, 3 * CHUNK);
    let progress = group_progress(&bootstrap, GROUP, TOPIC, TIMEOUT).unwrap();
    let (committed, ends) = committed_and_ends(&progress);
    assert_eq!(committed, ends);
    assert_eq!(ends.values().sum::<i64>() as u64, 3 * CHUNK);
    // What was written before the restarts is still on disk for a new reader.
    let raw = raw_consume(&bootstrap, TOPIC, 3 * CHUNK, TIMEOUT, &BTreeMap::new()).unwrap();
    assert_eq!(raw.records, 3 * CHUNK);
}

/// The Kafka sink of a source pipeline (Kinetica → Kafka), on the real broker: what a
/// batch writes is there, key, value, headers and timestamp, when `write` returns.
#[test]
fn the_kafka_sink_has_every_record_acknowledged_when_a_write_returns() {
    use sluice_config::{ConfigDef, ConnectorKind, ConnectorSpec, Origin, RawProperties};
    use sluice_connect::{SinkBatch, SinkInput, TaskContext};

    let broker = broker();
    let topic = "sink_written";
    broker.create_topic(topic, 3).unwrap();
    let specs = [ConnectorSpec {
        name: "test-source",
        class_names: &[],
        kind: ConnectorKind::Source,
        config_def: || ConfigDef::new("test-source", Vec::new()),
        check: sluice_config::no_cross_check,
    }];
    let raw = RawProperties::from_pairs(
        Origin::file("source.yaml"),
        [
            ("name", "to-kafka"),
            ("connector.class", "test-source"),
            ("bootstrap.servers", broker.bootstrap_servers()),
        ],
    );
    let config = sluice_config::PipelineConfig::from_raw(&raw, &specs)
        .into_result()
        .unwrap_or_else(|p| panic!("{p}"))
        .0;
    let factory = sluice_kafka::build_sink(&config).unwrap_or_else(|p| panic!("{p:?}"));
    let requests = Arc::default();
    let mut sink = factory
        .create(TaskContext {
            pipeline: "to-kafka",
            task: 0,
            requests: &requests,
        })
        .unwrap();
    assert_eq!(sink.input(), SinkInput::Raw);
    let records: Vec<sluice_record::RawRecord> = (0..100)
        .map(|i| sluice_record::RawRecord {
            topic: topic.into(),
            partition: 0,
            offset: i,
            timestamp: Some(1_700_000_000_000 + i),
            headers: vec![sluice_record::Header {
                key: "row".into(),
                value: Some(i.to_string().into_bytes()),
            }],
            key: Some(format!("k{i}").into_bytes().into()),
            value: Some(format!(r#"{{"id":{i}}}"#).into_bytes().into()),
        })
        .collect();
    let report = sink.write(SinkBatch::Raw(&records)).unwrap();
    assert_eq!(report.written.get(topic), Some(&100));
    // Acknowledged: a consumer reading from the start finds all of them now.
    let mut source =
        KafkaSource::new(&settings(broker.bootstrap_servers(), "sink-check", topic)).unwrap();
    let mut read = consume_exactly(&mut source, 100, Duration::from_secs(60)).unwrap();
    read.sort_by_key(|r| r.timestamp);
    for (i, r) in read.iter().enumerate() {
        assert_eq!(r.key.as_deref(), Some(format!("k{i}").as_bytes()));
        assert_eq!(
            r.value.as_deref(),
            Some(format!(r#"{{"id":{i}}}"#).as_bytes())
        );
        assert_eq!(r.timestamp, Some(1_700_000_000_000 + i as i64));
        assert_eq!(
            r.headers[0].value.as_deref(),
            Some(i.to_string().as_bytes())
        );
    }
    // Partitioned by key: the same key always lands in the same partition.
    let partition_of = |key: &str| {
        read.iter()
            .find(|r| r.key.as_deref() == Some(key.as_bytes()))
            .unwrap()
            .partition
    };
    assert!(
        read.iter()
            .filter(|r| r.partition != partition_of("k0"))
            .count()
            > 0,
        "one partition only"
    );
}
