//! The standard transforms and predicates chained in one pipeline, Kafka → Kinetica
//! (issue 10's acceptance test): five kinds of SMT and two predicates, one negated,
//! each spelt as a short name or as its Kafka Connect class.

use crate::common;

use common::{Env, TIMEOUT, raw, s};
use sluice_kinetica::Value;
use sluice_record::Header;

#[test]
fn a_chain_of_standard_smts_and_predicates_writes_the_transformed_rows() {
    let env = Env::new();
    env.create_topic("orders.eu", 1);
    let trace = || {
        vec![Header {
            key: "trace".into(),
            value: Some(b"t".to_vec()),
        }]
    };
    let mut records = vec![
        raw("orders.eu", None, None, trace()),
        raw("orders.eu", None, None, Vec::new()), // no trace: filtered
        raw("orders.eu", None, None, trace()),    // tombstone: filtered
        raw("orders.eu", None, None, trace()),
    ];
    for (r, v) in records.iter_mut().zip([
        Some(r#"{"id": 0, "card": "4111-1111", "amount": 10}"#),
        Some(r#"{"id": 1, "card": "5500-0000", "amount": 20}"#),
        None,
        Some(r#"{"id": 3, "card": "3400-0000", "amount": 30}"#),
    ]) {
        r.value = v.map(|v| sluice_record::Bytes::copy_from_slice(v.as_bytes()));
    }
    env.produce_raw("orders.eu", &records);
    let yaml = env.yaml(
        "chain-p",
        "orders.eu",
        "value.converter.schemas.enable: false\n\
         predicates: [tombstone, traced]\n\
         predicates.tombstone.type: org.apache.kafka.connect.transforms.predicates.RecordIsTombstone\n\
         predicates.traced.type: has-header-key\n\
         predicates.traced.name: trace\n\
         transforms: [deletes, untraced, route, daily, mask, stamp]\n\
         transforms.deletes.type: org.apache.kafka.connect.transforms.Filter\n\
         transforms.deletes.predicate: tombstone\n\
         transforms.untraced.type: filter\n\
         transforms.untraced.predicate: traced\n\
         transforms.untraced.negate: true\n\
         transforms.route.type: org.apache.kafka.connect.transforms.RegexRouter\n\
         transforms.route.regex: 'orders\\.(.*)'\n\
         transforms.route.replacement: 'sales_$1'\n\
         transforms.daily.type: timestamp-router\n\
         transforms.daily.topic.format: '${topic}_${timestamp}'\n\
         transforms.mask.type: org.apache.kafka.connect.transforms.MaskField$Value\n\
         transforms.mask.fields: card\n\
         transforms.stamp.type: insert-field\n\
         transforms.stamp.static.field: source\n\
         transforms.stamp.static.value: kafka",
    );
    let pipeline = env.start(env.config("chain.yaml", &yaml));
    // raw() stamps every record 2023-11-14T22:13:20Z.
    let table = "sales_eu_20231114";
    let rows = env.rows_when(table, 2);
    common::eventually("every record committed", TIMEOUT, || {
        (env.committed("sluice-chain-p", "orders.eu") == Some(4)).then_some(())
    });
    pipeline.stop().unwrap();

    let columns: Vec<String> = common::columns(&env, table)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let cell = |row: &[Value], name: &str| {
        row[columns.iter().position(|c| c == name).expect(name)].clone()
    };
    let mut got: Vec<(Value, Value, Value, Value)> = rows
        .iter()
        .map(|r| {
            (
                cell(r, "id"),
                cell(r, "card"),
                cell(r, "amount"),
                cell(r, "source"),
            )
        })
        .collect();
    got.sort_by_key(|r| format!("{:?}", r.0));
    assert_eq!(
        got,
        [
            (Value::Long(0), s(""), Value::Long(10), s("kafka")),
            (Value::Long(3), s(""), Value::Long(30), s("kafka")),
        ]
    );
    assert!(
        env.emulator.rows("orders.eu").is_none() && env.emulator.rows("sales_eu").is_none(),
        "only the routed table exists: {:?}",
        env.emulator.table_names()
    );
}
