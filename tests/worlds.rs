//! Every world of `wit/plugin.wit` in one pipeline, mock Kafka → emulator: a converter
//! component decodes the values (CSV lines with a nested column), a predicate
//! component selects records for one transform and, negated, for another, and a
//! flattener component flattens the nested struct before the Kinetica sink builds its
//! rows. The rows show that each ran.

use crate::common;

use common::{Env, columns, s, sorted_by_first};
use sluice_kinetica::Value;

#[test]
fn a_converter_a_predicate_plain_and_negated_and_a_flattener_all_shape_the_rows() {
    let env = Env::new();
    env.create_topic("people", 1);
    env.produce(
        "people",
        &[
            (None, Some("1,ann,a,Oslo")),
            (None, Some("2,bob,b,Rome")),
            (None, Some("3,cy,a,Lima")),
        ],
    );
    let yaml = env.yaml(
        "worlds",
        "people",
        "value.converter: csv-converter\n\
         value.converter.fields: id:int64,name:string,kind:string,address.city:string\n\
         flattener: nest-flattener\n\
         kinetica.tables.destination_name: people\n\
         predicates: [is-a]\n\
         predicates.is-a.type: field-equals\n\
         predicates.is-a.field: kind\n\
         predicates.is-a.value: a\n\
         transforms: [hide-name, relabel]\n\
         transforms.hide-name.type: mask-field\n\
         transforms.hide-name.fields: name\n\
         transforms.hide-name.replacement: MASKED\n\
         transforms.hide-name.predicate: is-a\n\
         transforms.relabel.type: mask-field\n\
         transforms.relabel.fields: kind\n\
         transforms.relabel.replacement: OTHER\n\
         transforms.relabel.predicate: is-a\n\
         transforms.relabel.negate: true",
    );
    let pipeline = env.start(env.config("worlds.yaml", &yaml));
    let rows = sorted_by_first(env.rows_when("people", 3));
    let summary = pipeline.stop().unwrap();

    // The flattener turned `address.city` into a column of its own.
    assert_eq!(
        columns(&env, "people"),
        [
            ("id".into(), "long".into()),
            ("name".into(), "string".into()),
            ("kind".into(), "string".into()),
            ("address_city".into(), "string".into()),
        ]
    );
    assert_eq!(
        rows,
        [
            // kind=a: the plain predicate selected it for `hide-name`.
            vec![Value::Long(1), s("MASKED"), s("a"), s("Oslo")],
            // kind=b: only the negated predicate selected it, for `relabel`.
            vec![Value::Long(2), s("bob"), s("OTHER"), s("Rome")],
            vec![Value::Long(3), s("MASKED"), s("a"), s("Lima")],
        ]
    );
    assert_eq!(summary.metrics.records_written, 3);
}

#[test]
fn a_line_the_converter_component_rejects_stops_the_pipeline_naming_the_record() {
    let env = Env::new();
    env.create_topic("bad-csv", 1);
    env.produce("bad-csv", &[(None, Some("1,ann")), (None, Some("x,bob"))]);
    let yaml = env.yaml(
        "bad-csv",
        "bad-csv",
        "value.converter: csv-converter\n\
         value.converter.fields: id:int64,name:string",
    );
    let pipeline = env.start(env.config("bad.yaml", &yaml));
    assert!(
        pipeline.wait(Some(common::TIMEOUT)),
        "the pipeline did not stop"
    );
    let error = pipeline.stop().unwrap_err().to_string();
    assert!(error.contains("bad-csv-0@1"), "{error}");
    assert!(
        error.contains("the value converter `csv-converter`"),
        "{error}"
    );
    assert!(error.contains("column `id`"), "{error}");
}
