//! The error policy: `errors.tolerance=none` stops at the first bad record without
//! committing its batch; `errors.tolerance=all` sends bad records to the dead letter
//! queue (original bytes, Kafka Connect's context headers) and writes the rest.

use crate::common;

use common::{Env, TIMEOUT, header, raw};
use sluice_kinetica::Value;
use sluice_record::Header;
use sluice_runtime::{FailureKind, PipelineState, Stage, dlq_headers};

#[test]
fn a_bad_record_with_tolerance_none_stops_the_pipeline_and_commits_nothing_of_its_batch() {
    let env = Env::new();
    env.create_topic("strict", 1);
    env.produce(
        "strict",
        &[
            (None, Some(r#"{"id": 0}"#)),
            (None, Some(r#"{"id": 1}"#)),
            (None, Some(r#"{"id": 2}"#)),
            (None, Some(r#"{"id": 3,"#)),
            (None, Some(r#"{"id": 4}"#)),
        ],
    );
    let yaml = env.yaml(
        "strict-p",
        "strict",
        "value.converter.schemas.enable: false",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    assert!(pipeline.wait(Some(TIMEOUT)), "the pipeline did not stop");
    // The bad record alone failed: the records of its batch before it were not.
    let metrics = pipeline.metrics().snapshot();
    assert_eq!(metrics.records_failed, 1);
    assert_eq!(metrics.tasks[0].records_failed, 1);
    let error = pipeline.stop().unwrap_err();

    let text = error.to_string();
    assert!(text.contains("pipeline `strict-p`"), "{text}");
    assert!(text.contains("strict-0@3"), "{text}");
    assert!(text.contains("invalid JSON"), "{text}");
    assert!(text.contains("errors.deadletterqueue.topic.name"), "{text}");
    match *error.kind {
        FailureKind::BadRecord { stage, .. } => assert_eq!(stage, Stage::ValueConverter),
        other => panic!("{other:?}"),
    }
    // Whatever batches came before the bad one were written and committed; the bad
    // one's batch was neither.
    let committed = env.committed("sluice-strict-p", "strict");
    assert!(committed.is_none_or(|c| c <= 3), "committed {committed:?}");
    let written = env.emulator.row_count("strict").unwrap_or(0) as i64;
    assert_eq!(
        written,
        committed.unwrap_or(0),
        "rows written but not committed"
    );
}

#[test]
fn bad_records_with_tolerance_all_go_to_the_dead_letter_queue_and_the_rest_is_written() {
    let env = Env::new();
    env.create_topic("lenient", 1);
    env.create_topic("lenient-dlq", 1);
    let value = |v: &str| Some(sluice_record::Bytes::copy_from_slice(v.as_bytes()));
    let traced = vec![Header {
        key: "trace".into(),
        value: Some(b"abc".to_vec()),
    }];
    let mut records = vec![
        raw("lenient", None, None, Vec::new()),
        raw("lenient", None, None, Vec::new()),
        raw("lenient", None, None, traced),
        raw("lenient", None, None, Vec::new()),
        raw("lenient", None, None, Vec::new()),
        raw("lenient", None, None, Vec::new()),
        raw("lenient", None, None, Vec::new()),
    ];
    let values = [
        r#"{"id": 0, "status": "ok"}"#,     // written
        r#"{"id": 1, "status""#,            // the converter fails
        r#"{"id": 2, "status": "reject"}"#, // the transform rejects it
        r#"{"id": 3, "status": "skip"}"#,   // the transform discards it
        r#"{"id": 4, "status": "boom"}"#,   // the transform fails the call for it
        r#""just text""#,                   // the sink cannot make a row of it
        r#"{"id": 6, "status": "ok"}"#,     // written
    ];
    for (r, v) in records.iter_mut().zip(values) {
        r.value = value(v);
    }
    env.produce_raw("lenient", &records);
    let yaml = env.yaml(
        "lenient-p",
        "lenient",
        "value.converter.schemas.enable: false\n\
         transforms: [sort]\n\
         transforms.sort.type: sorter\n\
         transforms.sort.field: status\n\
         transforms.sort.reject: reject\n\
         transforms.sort.drop: skip\n\
         transforms.sort.bad: boom\n\
         errors.tolerance: all\n\
         errors.deadletterqueue.topic.name: lenient-dlq\n\
         errors.deadletterqueue.context.headers.enable: true\n\
         errors.log.enable: true",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let dead = env.read_topic("lenient-dlq", 4);
    let rows = env.rows_when("lenient", 2);
    common::eventually("the batch's commit", TIMEOUT, || {
        (env.committed("sluice-lenient-p", "lenient") == Some(7)).then_some(())
    });
    let summary = pipeline.stop().unwrap();

    let mut ids: Vec<Value> = rows.iter().map(|r| r[0].clone()).collect();
    ids.sort_by_key(|v| format!("{v:?}"));
    assert_eq!(ids, [Value::Long(0), Value::Long(6)]);

    let mut dead = dead;
    dead.sort_by_key(|r| {
        header(r, dlq_headers::OFFSET)
            .unwrap()
            .parse::<i64>()
            .unwrap()
    });
    let got: Vec<(&str, &str)> = dead
        .iter()
        .map(|r| {
            (
                header(r, dlq_headers::OFFSET).unwrap(),
                header(r, dlq_headers::STAGE).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("1", "VALUE_CONVERTER"),
            ("2", "TRANSFORMATION"),
            ("4", "TRANSFORMATION"),
            ("5", "TASK_PUT"),
        ]
    );
    for r in &dead {
        let offset: usize = header(r, dlq_headers::OFFSET).unwrap().parse().unwrap();
        assert_eq!(
            r.value.as_deref(),
            Some(values[offset].as_bytes()),
            "original bytes"
        );
        assert_eq!(header(r, dlq_headers::TOPIC), Some("lenient"));
        assert_eq!(header(r, dlq_headers::PARTITION), Some("0"));
        assert_eq!(header(r, dlq_headers::CONNECTOR_NAME), Some("lenient-p"));
        assert_eq!(header(r, dlq_headers::TASK_ID), Some("0"));
        assert!(
            !header(r, dlq_headers::EXCEPTION_MESSAGE)
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(header(&dead[0], dlq_headers::CLASS_NAME), Some("json"));
    assert_eq!(header(&dead[1], dlq_headers::CLASS_NAME), Some("sorter"));
    assert_eq!(
        header(&dead[1], "trace"),
        Some("abc"),
        "original headers kept"
    );
    assert_eq!(
        header(&dead[2], dlq_headers::EXCEPTION_CLASS_NAME),
        Some("sluice.BadRecord")
    );

    let m = summary.metrics;
    assert_eq!(m.records_in, 7);
    assert_eq!(m.records_written, 2);
    assert_eq!(m.records_discarded, 1);
    assert_eq!(m.records_dead_lettered, 4);
    // Dead-lettered records failed, though the pipeline went on.
    assert_eq!(m.records_failed, 4);
    // One task: its counters are the pipeline's.
    let task = &m.tasks[0];
    assert_eq!(
        (
            task.records_in,
            task.records_written,
            task.records_dead_lettered
        ),
        (7, 2, 4)
    );
}

#[test]
fn without_transforms_the_dead_letter_queue_still_gets_the_original_headers() {
    // Nothing but the dead letter queue reads headers here: the source must still
    // deliver them (a pipeline with no reader at all has them left out).
    let env = Env::new();
    env.create_topic("plain", 1);
    env.create_topic("plain-dlq", 1);
    let traced = vec![Header {
        key: "trace".into(),
        value: Some(b"abc".to_vec()),
    }];
    env.produce_raw(
        "plain",
        &[
            raw("plain", None, Some(br#"{"id": 0}"#), Vec::new()),
            raw("plain", None, Some(br#"{"id": 1,"#), traced),
        ],
    );
    let yaml = env.yaml(
        "plain-p",
        "plain",
        "value.converter.schemas.enable: false\n\
         errors.tolerance: all\n\
         errors.deadletterqueue.topic.name: plain-dlq",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let dead = env.read_topic("plain-dlq", 1);
    env.rows_when("plain", 1);
    pipeline.stop().unwrap();
    assert_eq!(dead[0].value.as_deref(), Some(&br#"{"id": 1,"#[..]));
    assert_eq!(
        header(&dead[0], "trace"),
        Some("abc"),
        "original headers kept"
    );
}

#[test]
fn a_trapping_transform_is_retried_then_stops_the_pipeline_uncommitted() {
    let env = Env::new();
    env.create_topic("traps", 1);
    env.produce("traps", &[(None, Some(r#"{"id": 0}"#))]);
    let yaml = env.yaml(
        "traps-p",
        "traps",
        "value.converter.schemas.enable: false\n\
         transforms: [t]\n\
         transforms.t.type: trap",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    assert!(pipeline.wait(Some(TIMEOUT)), "the pipeline did not stop");
    let metrics = pipeline.metrics().snapshot();
    let error = pipeline.stop().unwrap_err();
    match error.kind.as_ref() {
        FailureKind::Transform {
            alias, attempts, ..
        } => {
            assert_eq!(alias, "t");
            // The first attempt and `min_retries` retries (errors.retry.timeout=0).
            assert_eq!(*attempts, 1 + common::options().min_retries);
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("traps-0@0"), "{error}");
    assert_eq!(metrics.retries, u64::from(common::options().min_retries));
    // The transform failed the whole batch (its one record) for good.
    assert_eq!(metrics.records_failed, 1);
    assert_eq!(env.committed("sluice-traps-p", "traps"), None);
    assert_eq!(env.emulator.row_count("traps"), None);
}

#[test]
fn a_kinetica_outage_is_waited_out_by_default_and_the_pipeline_reports_itself_degraded() {
    let env = Env::new();
    env.create_topic("flaky", 1);
    env.emulator
        .inject_failure("/insert/records", usize::MAX, 503, "busy");
    let values: Vec<String> = (0..10).map(|i| format!(r#"{{"id": {i}}}"#)).collect();
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce("flaky", &records);
    // Default settings: no errors.retry.timeout, so the outage has no deadline.
    let yaml = env.yaml("flaky-p", "flaky", "value.converter.schemas.enable: false");
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let metrics = pipeline.metrics();
    // Well past the minimum retries that bound a component's failures.
    let min = u64::from(common::options().min_retries);
    let status = common::eventually("the pipeline to wait out the outage", TIMEOUT, || {
        let status = pipeline.status();
        (metrics.snapshot().retries > 2 * min).then_some(status)
    });
    assert_eq!(status.state, PipelineState::Degraded, "{status:?}");
    assert_eq!(status.degraded.len(), 1, "{status:?}");
    assert!(
        status.degraded[0].reason.contains("busy"),
        "{:?}",
        status.degraded[0]
    );
    assert_eq!(metrics.snapshot().degraded_tasks, 1);
    assert_eq!(env.committed("sluice-flaky-p", "flaky"), None);
    env.emulator.clear_failures();
    env.rows_when("flaky", 10);
    common::eventually("the pipeline to recover", TIMEOUT, || {
        (pipeline.status().state == PipelineState::Running).then_some(())
    });
    let summary = pipeline.stop().unwrap();
    assert_eq!(summary.metrics.outages, 1);
    assert_eq!(summary.metrics.degraded_tasks, 0);
    assert_eq!(summary.metrics.records_written, 10);
    assert_eq!(
        env.emulator.row_count("flaky"),
        Some(10),
        "a failed insert stored rows"
    );
    assert_eq!(env.committed("sluice-flaky-p", "flaky"), Some(10));
}

#[test]
fn errors_retry_timeout_bounds_an_outage_when_it_is_set() {
    let env = Env::new();
    env.create_topic("bounded", 1);
    env.emulator
        .inject_failure("/insert/records", usize::MAX, 503, "down");
    env.produce("bounded", &[(None, Some(r#"{"id": 1}"#))]);
    let yaml = env.yaml(
        "bounded-p",
        "bounded",
        "value.converter.schemas.enable: false\nerrors.retry.timeout: 0",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    assert!(pipeline.wait(Some(TIMEOUT)), "the pipeline gives up");
    let error = pipeline
        .stop()
        .expect_err("an outage beyond the timeout fails");
    assert!(
        error
            .to_string()
            .contains("writing the batch starting at bounded-0@0 failed"),
        "{error}"
    );
    assert_eq!(env.committed("sluice-bounded-p", "bounded"), None);
}

#[test]
fn a_stop_during_retries_leaves_the_batch_uncommitted() {
    let env = Env::new();
    env.create_topic("down", 1);
    env.emulator
        .inject_failure("/insert/records", 1_000_000, 503, "down");
    env.produce("down", &[(None, Some(r#"{"id": 1}"#))]);
    let yaml = env.yaml(
        "down-p",
        "down",
        "value.converter.schemas.enable: false\nerrors.retry.timeout: -1",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let metrics = pipeline.metrics();
    common::eventually("a retry", TIMEOUT, || {
        (metrics.snapshot().retries >= 2).then_some(())
    });
    assert!(!pipeline.is_finished(), "retries forever until stopped");
    let summary = pipeline.stop().expect("a stop is not a failure");
    assert_eq!(summary.metrics.records_written, 0);
    assert_eq!(env.committed("sluice-down-p", "down"), None);
}
