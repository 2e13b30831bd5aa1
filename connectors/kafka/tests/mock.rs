//! The source and producer against librdkafka's in-process mock cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_kafka::mock::MockKafka;
use sluice_kafka::testing::{consume_exactly, produce_test_records, test_record_index};
use sluice_kafka::{
    Error, KafkaSource, Offsets, Partitioning, ProducerSettings, RebalanceEvent, RecordProducer,
    SourceSettings, TopicPartition, Topics,
};
use sluice_record::{Header, RawRecord};

const TIMEOUT: Duration = Duration::from_secs(60);

/// `RUST_LOG=sluice_kafka=debug,librdkafka=debug` shows what happened.
fn logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn settings(kafka: &MockKafka, group: &str, topics: Topics) -> SourceSettings {
    SourceSettings {
        bootstrap_servers: kafka.bootstrap_servers().to_string(),
        group_id: group.to_string(),
        topics,
        properties: MockKafka::group_properties(),
    }
}

fn topic(name: &str) -> Topics {
    Topics::List(vec![name.to_string()])
}

fn producer(kafka: &MockKafka) -> RecordProducer {
    RecordProducer::new(&ProducerSettings {
        bootstrap_servers: kafka.bootstrap_servers().to_string(),
        properties: BTreeMap::new(),
    })
    .unwrap()
}

/// Record `i` of a partition, with every field set (and some deliberately null).
fn record(topic: &Arc<str>, partition: i32, i: i64) -> RawRecord {
    RawRecord {
        topic: Arc::clone(topic),
        partition,
        offset: i,
        timestamp: Some(1_700_000_000_000 + i),
        headers: if i % 3 == 0 {
            Vec::new()
        } else {
            vec![
                Header {
                    key: "trace".into(),
                    value: Some(format!("t-{partition}-{i}").into_bytes()),
                },
                Header {
                    key: "empty".into(),
                    value: None,
                },
            ]
        },
        key: (i % 5 != 0).then(|| format!("k-{partition}-{i}").into_bytes().into()),
        value: (i % 7 != 0).then(|| format!("v-{partition}-{i}").into_bytes().into()),
    }
}

fn indices(records: &[RawRecord]) -> Vec<u64> {
    records
        .iter()
        .map(|r| test_record_index(r.value.as_deref().unwrap()).unwrap())
        .collect()
}

#[test]
fn poll_batch_returns_every_record_in_partition_order_with_all_fields() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("fields", 3).unwrap();
    let name: Arc<str> = Arc::from("fields");
    let mut sent: BTreeMap<i32, Vec<RawRecord>> = BTreeMap::new();
    let mut producer = producer(&kafka);
    for partition in 0..3 {
        let records: Vec<RawRecord> = (0..40).map(|i| record(&name, partition, i)).collect();
        producer
            .send("fields", &records, Partitioning::AsRecorded)
            .unwrap();
        sent.insert(partition, records);
    }

    let mut source = KafkaSource::new(&settings(&kafka, "fields-group", topic("fields"))).unwrap();
    let received = consume_exactly(&mut source, 120, TIMEOUT).unwrap();

    let mut by_partition: BTreeMap<i32, Vec<RawRecord>> = BTreeMap::new();
    for record in &received {
        assert!(
            Arc::ptr_eq(&record.topic, &received[0].topic),
            "one Arc<str> per topic"
        );
        by_partition
            .entry(record.partition)
            .or_default()
            .push(record.clone());
    }
    // Offsets were chosen as 0..40 in `record`, which is what the broker assigns to a
    // fresh partition: the whole record must come back unchanged and in order.
    assert_eq!(by_partition, sent);
    // And nothing else.
    assert!(
        source
            .poll_batch(100, Duration::from_millis(300))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_source_told_to_leave_out_headers_delivers_records_without_them() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("bare", 1).unwrap();
    let name: Arc<str> = Arc::from("bare");
    let sent: Vec<RawRecord> = (0..12).map(|i| record(&name, 0, i)).collect();
    producer(&kafka)
        .send("bare", &sent, Partitioning::AsRecorded)
        .unwrap();

    let mut source = KafkaSource::new(&settings(&kafka, "bare-group", topic("bare"))).unwrap();
    source.leave_out_headers();
    let received = consume_exactly(&mut source, 12, TIMEOUT).unwrap();
    let without_headers: Vec<RawRecord> = sent
        .into_iter()
        .map(|r| RawRecord {
            headers: Vec::new(),
            ..r
        })
        .collect();
    // Everything else is as sent (records 1, 2, 4, … were sent with two headers).
    assert_eq!(received, without_headers);
}

#[test]
fn poll_batch_respects_max_records_and_does_not_wait_when_records_are_there() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("fast", 1).unwrap();
    produce_test_records(kafka.bootstrap_servers(), "fast", 1000, 100).unwrap();
    let mut source = KafkaSource::new(&settings(&kafka, "fast-group", topic("fast"))).unwrap();

    let first = consume_exactly(&mut source, 10, TIMEOUT).unwrap();
    assert_eq!(indices(&first), (0..10).collect::<Vec<_>>());

    // The rest is fetched already or on its way: a generous `max_wait` must not be spent.
    let started = Instant::now();
    let mut rest = Vec::new();
    while rest.len() < 990 {
        let batch = source.poll_batch(100, Duration::from_secs(30)).unwrap();
        assert!(
            !batch.is_empty() && batch.len() <= 100,
            "batch of {}",
            batch.len()
        );
        rest.extend(batch);
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(indices(&rest), (10..1000).collect::<Vec<_>>());
}

#[test]
fn a_batch_stops_at_max_bytes_but_always_takes_a_record() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("large", 1).unwrap();
    produce_test_records(kafka.bootstrap_servers(), "large", 60, 1000).unwrap();
    let mut source = KafkaSource::new(&settings(&kafka, "large-group", topic("large"))).unwrap();
    let mut read = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    while read.len() < 60 && Instant::now() < deadline {
        // Keys `key-N` and values of 1000 bytes: the fifth record reaches 4500 bytes.
        let batch = source
            .poll_limited(100, 4500, Duration::from_millis(500))
            .unwrap();
        let bytes: usize = batch.iter().map(RawRecord::payload_bytes).sum();
        assert!(batch.len() <= 5, "{} records, {bytes} bytes", batch.len());
        read.extend(batch);
    }
    assert_eq!(indices(&read), (0..60).collect::<Vec<_>>());
    // A record larger than the bound is a batch of its own.
    produce_test_records(kafka.bootstrap_servers(), "large", 1, 9000).unwrap();
    let one = consume_exactly_limited(&mut source, 100);
    assert_eq!(one.len(), 1);
    assert!(one[0].payload_bytes() > 100);
}

/// The next non-empty batch of `source`, at most `max_bytes` but for one record.
fn consume_exactly_limited(source: &mut KafkaSource, max_bytes: usize) -> Vec<RawRecord> {
    let deadline = Instant::now() + TIMEOUT;
    while Instant::now() < deadline {
        let batch = source
            .poll_limited(100, max_bytes, Duration::from_millis(500))
            .unwrap();
        if !batch.is_empty() {
            return batch;
        }
    }
    panic!("no record within {TIMEOUT:?}");
}

#[test]
fn regex_subscription_matches_whole_topic_names() {
    logs();
    let kafka = MockKafka::start().unwrap();
    let topics = [
        "rx-orders-eu",
        "rx-orders-us",
        "rx-orders-eu-archive",
        "x-rx-orders-eu",
        "rx-payments",
    ];
    for name in topics {
        kafka.create_topic(name, 2).unwrap();
        produce_test_records(kafka.bootstrap_servers(), name, 10, 16).unwrap();
    }
    let mut source = KafkaSource::new(&settings(
        &kafka,
        "regex-group",
        Topics::Regex("rx-orders-(eu|us)".into()),
    ))
    .unwrap();
    let received = consume_exactly(&mut source, 20, TIMEOUT).unwrap();
    let mut seen: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for (record, index) in received.iter().zip(indices(&received)) {
        seen.entry(record.topic.to_string())
            .or_default()
            .insert(index);
    }
    let all: BTreeSet<u64> = (0..10).collect();
    assert_eq!(
        seen,
        BTreeMap::from([
            ("rx-orders-eu".to_string(), all.clone()),
            ("rx-orders-us".to_string(), all)
        ])
    );
    assert!(
        source
            .poll_batch(100, Duration::from_millis(500))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn records_are_redelivered_until_committed() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("redo", 2).unwrap();
    produce_test_records(kafka.bootstrap_servers(), "redo", 50, 16).unwrap();
    let settings = settings(&kafka, "redo-group", topic("redo"));

    // Consumed but never acknowledged by a sink: not committed.
    let first = {
        let mut source = KafkaSource::new(&settings).unwrap();
        consume_exactly(&mut source, 50, TIMEOUT).unwrap()
    };
    let mut second_source = KafkaSource::new(&settings).unwrap();
    let second = consume_exactly(&mut second_source, 50, TIMEOUT).unwrap();
    let coordinates = |records: &[RawRecord]| {
        records
            .iter()
            .map(|r| (r.partition, r.offset, r.value.clone()))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(coordinates(&first), coordinates(&second));

    // Acknowledged and committed: the next member continues after them.
    let outcome = second_source.commit(&Offsets::of(&second)).unwrap();
    assert_eq!(outcome.committed.len(), 2, "{outcome:?}");
    drop(second_source);
    produce_test_records(kafka.bootstrap_servers(), "redo", 60, 16).unwrap();
    let mut third_source = KafkaSource::new(&settings).unwrap();
    let third = consume_exactly(&mut third_source, 60, TIMEOUT).unwrap();
    // The second run numbers its records 0..60 again; offsets tell them apart.
    assert!(third.iter().all(|r| !coordinates(&second).contains(&(
        r.partition,
        r.offset,
        r.value.clone()
    ))));
    assert_eq!(
        indices(&third).into_iter().collect::<BTreeSet<_>>(),
        (0..60).collect()
    );
    assert!(
        third_source
            .poll_batch(100, Duration::from_millis(300))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn commit_stores_exactly_the_acknowledged_offsets() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("partial", 3).unwrap();
    produce_test_records(kafka.bootstrap_servers(), "partial", 90, 16).unwrap();
    let settings = settings(&kafka, "partial-group", topic("partial"));

    let mut source = KafkaSource::new(&settings).unwrap();
    let acknowledged = consume_exactly(&mut source, 30, TIMEOUT).unwrap();
    // Fetched and handed out but not acknowledged: must come again.
    let unacknowledged = consume_exactly(&mut source, 20, TIMEOUT).unwrap();
    source.commit(&Offsets::of(&acknowledged)).unwrap();
    drop(source);

    let mut next = KafkaSource::new(&settings).unwrap();
    let rest = consume_exactly(&mut next, 60, TIMEOUT).unwrap();
    let rest_set: BTreeSet<u64> = indices(&rest).into_iter().collect();
    let acknowledged_set: BTreeSet<u64> = indices(&acknowledged).into_iter().collect();
    assert_eq!(rest_set.len(), 60);
    assert!(rest_set.is_disjoint(&acknowledged_set));
    assert!(
        indices(&unacknowledged)
            .iter()
            .all(|i| rest_set.contains(i))
    );
    assert_eq!(rest_set.union(&acknowledged_set).count(), 90);
    assert!(
        next.poll_batch(100, Duration::from_millis(300))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn two_members_of_a_group_split_the_partitions() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("split", 4).unwrap();
    let settings = settings(&kafka, "split-group", topic("split"));
    let mut a = KafkaSource::new(&settings).unwrap();
    let mut b = KafkaSource::new(&settings).unwrap();
    let all: BTreeSet<TopicPartition> = (0..4).map(|p| TopicPartition::new("split", p)).collect();

    // Both must keep polling for the group to settle.
    let deadline = Instant::now() + TIMEOUT;
    let (assigned_a, assigned_b) = loop {
        assert!(Instant::now() < deadline, "the group did not settle");
        assert!(
            a.poll_batch(10, Duration::from_millis(50))
                .unwrap()
                .is_empty()
        );
        assert!(
            b.poll_batch(10, Duration::from_millis(50))
                .unwrap()
                .is_empty()
        );
        let assigned_a: BTreeSet<_> = a.assignment().unwrap().into_iter().collect();
        let assigned_b: BTreeSet<_> = b.assignment().unwrap().into_iter().collect();
        if !assigned_a.is_empty()
            && !assigned_b.is_empty()
            && assigned_a.is_disjoint(&assigned_b)
            && assigned_a
                .union(&assigned_b)
                .cloned()
                .collect::<BTreeSet<_>>()
                == all
        {
            break (assigned_a, assigned_b);
        }
    };
    let assigned_by_events = |events: Vec<RebalanceEvent>| {
        let mut current = BTreeSet::new();
        for event in events {
            match event {
                RebalanceEvent::Assigned(partitions) => current.extend(partitions),
                RebalanceEvent::Revoked { partitions, .. } => partitions.iter().for_each(|p| {
                    current.remove(p);
                }),
            }
        }
        current
    };
    assert_eq!(assigned_by_events(a.take_events()), assigned_a);
    assert_eq!(assigned_by_events(b.take_events()), assigned_b);

    // Records go to the member that owns their partition, each exactly once.
    produce_test_records(kafka.bootstrap_servers(), "split", 200, 16).unwrap();
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    while got_a.len() + got_b.len() < 200 {
        assert!(
            Instant::now() < deadline,
            "got {} + {}",
            got_a.len(),
            got_b.len()
        );
        got_a.extend(a.poll_batch(100, Duration::from_millis(50)).unwrap());
        got_b.extend(b.poll_batch(100, Duration::from_millis(50)).unwrap());
    }
    let owned = |records: &[RawRecord], assigned: &BTreeSet<TopicPartition>| {
        records
            .iter()
            .all(|r| assigned.contains(&TopicPartition::new(Arc::clone(&r.topic), r.partition)))
    };
    assert!(owned(&got_a, &assigned_a) && owned(&got_b, &assigned_b));
    assert!(!got_a.is_empty() && !got_b.is_empty());
    let mut all_indices = indices(&got_a);
    all_indices.extend(indices(&got_b));
    all_indices.sort_unstable();
    assert_eq!(all_indices, (0..200).collect::<Vec<_>>());

    // A commit for a partition the member does not own is skipped, not an error.
    let outcome = a.commit(&Offsets::of(&got_b)).unwrap();
    assert!(outcome.committed.is_empty());
    assert_eq!(
        outcome.not_assigned.into_iter().collect::<BTreeSet<_>>(),
        assigned_b
    );
}

#[test]
fn delivery_failures_are_typed_and_name_the_topic() {
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("dlq", 1).unwrap();
    let mut producer = producer(&kafka);
    let secret: Arc<str> = Arc::from("ignored");
    let mut bad = record(&secret, 7, 1);
    bad.value = Some(b"secret-value".to_vec().into());
    let error = producer
        .send("dlq", &[bad], Partitioning::AsRecorded)
        .unwrap_err();
    assert!(
        matches!(error, Error::Deliver { ref topic, partition: 7, failed: 1, .. } if topic == "dlq"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("dlq") && message.contains(kafka.bootstrap_servers()),
        "{message}"
    );
    assert!(!message.contains("secret-value"), "{message}");
}

#[test]
fn a_commit_refused_during_a_rebalance_is_retried_not_lost() {
    use sluice_kafka::mock::{RDKafkaApiKey, RDKafkaRespErr};
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("deferred", 1).unwrap();
    produce_test_records(kafka.bootstrap_servers(), "deferred", 20, 16).unwrap();
    let settings = settings(&kafka, "deferred-group", topic("deferred"));
    let mut source = KafkaSource::new(&settings).unwrap();
    let first = consume_exactly(&mut source, 10, TIMEOUT).unwrap();

    kafka
        .with_cluster(|cluster| {
            cluster.request_errors(
                RDKafkaApiKey::OffsetCommit,
                &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS],
            );
        })
        .unwrap();
    let outcome = source.commit(&Offsets::of(&first)).unwrap();
    assert_eq!(
        outcome.deferred,
        vec![TopicPartition::new("deferred", 0)],
        "{outcome:?}"
    );
    assert!(outcome.committed.is_empty());

    // The next commit carries the deferred offsets along (here: with nothing new).
    let outcome = source.commit(&Offsets::new()).unwrap();
    assert_eq!(
        outcome.committed,
        vec![TopicPartition::new("deferred", 0)],
        "{outcome:?}"
    );
    drop(source);

    let mut next = KafkaSource::new(&settings).unwrap();
    let rest = consume_exactly(&mut next, 10, TIMEOUT).unwrap();
    assert_eq!(indices(&rest), (10..20).collect::<Vec<_>>());
}

#[test]
fn deferred_offsets_are_committed_when_the_partitions_are_revoked() {
    use sluice_kafka::mock::{RDKafkaApiKey, RDKafkaRespErr};
    logs();
    let kafka = MockKafka::start().unwrap();
    kafka.create_topic("revoke-commit", 1).unwrap();
    produce_test_records(kafka.bootstrap_servers(), "revoke-commit", 20, 16).unwrap();
    let settings = settings(&kafka, "revoke-commit-group", topic("revoke-commit"));
    let mut source = KafkaSource::new(&settings).unwrap();
    let first = consume_exactly(&mut source, 10, TIMEOUT).unwrap();
    kafka
        .with_cluster(|cluster| {
            cluster.request_errors(
                RDKafkaApiKey::OffsetCommit,
                &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS],
            );
        })
        .unwrap();
    let outcome = source.commit(&Offsets::of(&first)).unwrap();
    assert_eq!(outcome.deferred.len(), 1, "{outcome:?}");
    // Closing revokes the partition: the deferred offsets are committed then.
    drop(source);

    let mut next = KafkaSource::new(&settings).unwrap();
    let rest = consume_exactly(&mut next, 10, TIMEOUT).unwrap();
    assert_eq!(indices(&rest), (10..20).collect::<Vec<_>>());
}
