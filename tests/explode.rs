//! `explode` end to end: the records appended from one consumed record (its origin)
//! are committed as that origin, so a failure after some of them were written leaves
//! the origin uncommitted and the restarted pipeline replays all of it.

use crate::common;

use common::{Env, TIMEOUT};
use sluice_kinetica::Value;

/// The `n` column of every row, sorted.
fn ns(env: &Env, table: &str) -> Vec<i64> {
    let Some(at) = env
        .emulator
        .table_type(table)
        .and_then(|t| t.columns().iter().position(|c| c.name == "n"))
    else {
        return Vec::new();
    };
    let mut ns: Vec<i64> = env
        .emulator
        .rows(table)
        .unwrap_or_default()
        .iter()
        .map(|r| match r[at] {
            Value::Long(n) => n,
            ref other => panic!("n is {other:?}"),
        })
        .collect();
    ns.sort();
    ns
}

#[test]
fn an_exploded_origin_is_committed_only_once_all_its_records_are_written() {
    let env = Env::new();
    env.create_topic("baskets", 1);
    env.create_topic("baskets-dlq", 1);
    // Origin 1's second element fits no column of the table (`n` is a long), so the
    // sink writes 3 and 5 and fails the middle record: with `kinetica.batch_size: 1`
    // every row is its own insert, so the origin is written in part when it fails.
    env.produce(
        "baskets",
        &[
            (None, Some(r#"{"id": 0, "n": [1, 2]}"#)),
            (None, Some(r#"{"id": 1, "n": [3, "x", 5]}"#)),
        ],
    );
    let pipeline_yaml = |extra: &str| {
        env.yaml(
            "baskets-p",
            "baskets",
            &format!(
                "value.converter.schemas.enable: false\n\
                 kinetica.batch_size: 1\n\
                 transforms: [each]\n\
                 transforms.each.type: explode\n\
                 transforms.each.field: n\n\
                 {extra}"
            ),
        )
    };
    let first = env.start(env.config("first.yaml", &pipeline_yaml("")));
    assert!(first.wait(Some(TIMEOUT)), "the pipeline did not stop");
    let error = first.stop().unwrap_err().to_string();
    assert!(
        error.contains("baskets-0@1"),
        "the failure names the origin: {error}"
    );
    assert_eq!(
        ns(&env, "baskets"),
        [1, 2, 3, 5],
        "origin 1 was written in part"
    );
    let committed = env.committed("sluice-baskets-p", "baskets");
    assert!(
        committed.is_none_or(|c| c <= 1),
        "origin 1 must not be committed: {committed:?}"
    );

    // The restart replays every uncommitted origin whole: 3 and 5 are written again,
    // not only what came after the failure; the bad element goes to the dead letter
    // queue as its origin's bytes.
    let second = env.start(env.config(
        "second.yaml",
        &pipeline_yaml("errors.tolerance: all\nerrors.deadletterqueue.topic.name: baskets-dlq"),
    ));
    let dead = env.read_topic("baskets-dlq", 1);
    common::eventually("both origins committed", TIMEOUT, || {
        (env.committed("sluice-baskets-p", "baskets") == Some(2)).then_some(())
    });
    second.stop().unwrap();
    assert_eq!(
        dead[0].value.as_deref(),
        Some(br#"{"id": 1, "n": [3, "x", 5]}"#.as_slice())
    );
    let replayed = ns(&env, "baskets");
    assert_eq!(
        replayed.iter().filter(|&&n| n == 3 || n == 5).count(),
        4,
        "origin 1's written rows are written again: {replayed:?}"
    );
    match committed {
        // Origin 0 had been committed before origin 1's batch: written once.
        Some(1) => assert_eq!(replayed, [1, 2, 3, 3, 5, 5]),
        _ => assert_eq!(replayed, [1, 1, 2, 2, 3, 3, 5, 5]),
    }
}
