//! Faults against the real broker (Apache Kafka, shared by these tests): an outage of
//! Kinetica longer than `max.poll.interval.ms` is waited out while the consumer keeps
//! its group membership, so nothing is read twice; a pipeline stopped and started again
//! with the same name (the same static member) resumes at once. That a member killed
//! without leaving is replaced at once too is the kill -9 drill's part
//! (`host/sluice/tests/drills.rs`): a task thread cannot be killed in-process.

use std::time::{Duration, Instant, SystemTime};

use crate::common::{self, Env, TIMEOUT};
use sluice_runtime::PipelineState;

fn values(n: usize) -> Vec<String> {
    (0..n).map(|i| format!(r#"{{"id": {i}}}"#)).collect()
}

fn produce(env: &Env, topic: &str, values: &[String]) {
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce(topic, &records);
}

#[test]
fn an_outage_longer_than_max_poll_interval_keeps_the_group_membership() {
    let env = Env::kafka(0);
    env.create_topic("outage", 1);
    env.emulator
        .inject_failure("/insert/records", usize::MAX, 503, "down");
    produce(&env, "outage", &values(20));
    // A consumer that is not polled for 6 s leaves its group; the outage lasts longer.
    let max_poll = Duration::from_secs(6);
    let yaml = env.yaml_with_session(
        "outage-p",
        "outage",
        max_poll,
        &format!(
            "value.converter.schemas.enable: false\n\
             consumer.max.poll.interval.ms: {}",
            max_poll.as_millis()
        ),
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let since = common::eventually("the pipeline to be degraded", TIMEOUT, || {
        let status = pipeline.status();
        (status.state == PipelineState::Degraded).then(|| status.degraded[0].since)
    });
    // Waiting for time to pass is what this test is about.
    common::eventually(
        "the outage to outlast max.poll.interval.ms",
        TIMEOUT,
        || {
            let waited = SystemTime::now().duration_since(since).unwrap_or_default();
            (waited > max_poll + Duration::from_secs(2)).then_some(())
        },
    );
    assert_eq!(pipeline.status().state, PipelineState::Degraded);
    env.emulator.clear_failures();
    common::eventually("every record committed", TIMEOUT, || {
        (env.committed("sluice-outage-p", "outage") == Some(20)).then_some(())
    });
    let summary = pipeline.stop().unwrap();
    // A member that had left its group would have read the batch again after
    // rejoining, and the table (no primary key) would hold it twice.
    assert_eq!(env.emulator.row_count("outage"), Some(20));
    assert_eq!(summary.metrics.records_in, 20, "records were read twice");
    assert_eq!(summary.metrics.outages, 1);
}

#[test]
fn a_pipeline_stopped_and_started_again_as_the_same_static_member_resumes_at_once() {
    let env = Env::kafka(0);
    env.create_topic("restart", 2);
    produce(&env, "restart", &values(10));
    // Long enough that waiting for the old member's session would fail the test.
    let session = Duration::from_secs(45);
    let yaml = env.yaml_with_session(
        "restart-p",
        "restart",
        session,
        "value.converter.schemas.enable: false",
    );
    let first = env.start(env.config("p.yaml", &yaml));
    env.rows_when("restart", 10);
    // Stopping a static member does not leave the group: its partitions wait for it.
    first.stop().unwrap();
    produce(&env, "restart", &values(10));
    let restarted = Instant::now();
    let second = env.start(env.config("p.yaml", &yaml));
    env.rows_when("restart", 20);
    let took = restarted.elapsed();
    second.stop().unwrap();
    assert!(
        took < session / 2,
        "the restarted member waited {took:?} for its partitions (session {session:?})"
    );
    assert_eq!(env.emulator.row_count("restart"), Some(20));
}
