//! `kinetica.flatten_source.*`: nested JSON-with-schema records (a struct in a struct,
//! an array of strings, an array of structs, a map) land as flat columns through the
//! bundled `kinetica-flattener`, with a custom delimiter and separator, one test per
//! array mode; and a pipeline's own `flattener` wins over the sink's settings.

use crate::common;

use common::{Env, s, sorted_by_first};
use sluice_kinetica::Value;

const SCHEMA: &str = r#"{"type":"struct","name":"order","fields":[
    {"field":"id","type":"int64"},
    {"field":"customer","type":"struct","name":"com.example.Customer","fields":[
        {"field":"name","type":"string"},
        {"field":"address","type":"struct","optional":true,"fields":[
            {"field":"city","type":"string"}]}]},
    {"field":"tags","type":"array","items":{"type":"string"}},
    {"field":"lines","type":"array","items":{"type":"struct","fields":[
        {"field":"sku","type":"string"},{"field":"qty","type":"int32"}]}},
    {"field":"attrs","type":"map","optional":true,"keys":{"type":"string"},"values":{"type":"int32"}}]}"#;

/// Two orders: everything set, and an empty one (no address, empty arrays, no map).
fn produce_orders(env: &Env, topic: &str) {
    let schema: String = SCHEMA.split_whitespace().collect();
    let full = format!(
        r#"{{"schema":{schema},"payload":{{"id":1,"customer":{{"name":"Ann","address":{{"city":"Oslo"}}}},"tags":["a","b"],"lines":[{{"sku":"X","qty":2}},{{"sku":"Y","qty":1}}],"attrs":{{"size":9}}}}}}"#
    );
    let empty = format!(
        r#"{{"schema":{schema},"payload":{{"id":2,"customer":{{"name":"Bob","address":null}},"tags":[],"lines":[],"attrs":null}}}}"#
    );
    env.create_topic(topic, 1);
    env.produce(topic, &[(None, Some(&full)), (None, Some(&empty))]);
}

/// A column as (name, base type, nullable, properties).
type Col = (String, String, bool, Vec<String>);

fn columns(env: &Env, table: &str) -> Vec<Col> {
    env.emulator
        .table_type(table)
        .unwrap_or_else(|| panic!("no table {table}; tables: {:?}", env.emulator.table_names()))
        .columns()
        .iter()
        .map(|c| {
            let mut props = c.properties.clone();
            props.retain(|p| p != "data");
            (c.name.clone(), c.base.to_string(), c.nullable, props)
        })
        .collect()
}

fn col(name: &str, base: &str, nullable: bool) -> Col {
    (name.into(), base.into(), nullable, Vec::new())
}

/// Runs the orders through a pipeline with `kinetica.flatten_source.*` in `mode`,
/// delimiter `__` and separator `|`; the table's columns and its rows by id.
fn flatten(name: &str, mode: &str) -> (Vec<Col>, Vec<Vec<Value>>, Env) {
    let env = Env::new();
    produce_orders(&env, name);
    let yaml = env.yaml(
        name,
        name,
        &format!(
            "kinetica.tables.destination_name: {name}\n\
             kinetica.flatten_source.enabled: true\n\
             kinetica.flatten_source.field_name_delimiter: \"__\"\n\
             kinetica.flatten_source.array_flattening_mode: {mode}\n\
             kinetica.flatten_source.array_element_separator: \"|\""
        ),
    );
    let pipeline = env.start(env.config(&format!("{name}.yaml"), &yaml));
    let rows = sorted_by_first(env.rows_when(name, 2));
    let summary = pipeline.stop().unwrap();
    assert_eq!(summary.metrics.records_written, 2);
    (columns(&env, name), rows, env)
}

#[test]
fn convert_to_string_joins_arrays_and_renders_structs_and_maps() {
    let (columns, rows, _env) = flatten("flat-string", "CONVERT_TO_STRING");
    assert_eq!(
        columns,
        [
            col("id", "long", false),
            col("customer__name", "string", false),
            // The enclosing struct is optional, so its field's column is nullable.
            col("customer__address__city", "string", true),
            // An empty array converts to null.
            col("tags", "string", true),
            col("lines", "string", true),
            col("attrs", "string", true),
        ]
    );
    assert_eq!(
        rows,
        [
            vec![
                Value::Long(1),
                s("Ann"),
                s("Oslo"),
                s("a|b"),
                s("{sku=X,qty=2}|{sku=Y,qty=1}"),
                s("{size=9}"),
            ],
            vec![
                Value::Long(2),
                s("Bob"),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null
            ],
        ]
    );
}

#[test]
fn take_first_value_takes_the_first_element_and_flattens_a_struct_element() {
    let (columns, rows, _env) = flatten("flat-first", "TAKE_FIRST_VALUE");
    assert_eq!(
        columns,
        [
            col("id", "long", false),
            col("customer__name", "string", false),
            col("customer__address__city", "string", true),
            col("tags", "string", true),
            col("lines__sku", "string", true),
            col("lines__qty", "int", true),
            col("attrs", "string", true),
        ]
    );
    assert_eq!(
        rows,
        [
            vec![
                Value::Long(1),
                s("Ann"),
                s("Oslo"),
                s("a"),
                s("X"),
                Value::Int(2),
                s("{size=9}"),
            ],
            vec![
                Value::Long(2),
                s("Bob"),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null
            ],
        ]
    );
}

#[test]
fn keep_arrays_makes_an_array_column_of_an_array_of_strings() {
    let (columns, rows, _env) = flatten("flat-keep", "KEEP_ARRAYS");
    assert_eq!(
        columns,
        [
            col("id", "long", false),
            col("customer__name", "string", false),
            col("customer__address__city", "string", true),
            // A required array of strings: an `array(string)` column, `[]` when empty.
            (
                "tags".into(),
                "string".into(),
                false,
                vec!["array(string)".into()]
            ),
            // Arrays of structs cannot be Kinetica arrays: converted to a string.
            col("lines", "string", true),
            col("attrs", "string", true),
        ]
    );
    assert_eq!(
        rows,
        [
            vec![
                Value::Long(1),
                s("Ann"),
                s("Oslo"),
                s(r#"["a","b"]"#),
                s("{sku=X,qty=2}|{sku=Y,qty=1}"),
                s("{size=9}"),
            ],
            vec![
                Value::Long(2),
                s("Bob"),
                Value::Null,
                s("[]"),
                Value::Null,
                Value::Null
            ],
        ]
    );
}

/// A pipeline that names its own flattener runs it, not the sink's: here the
/// bundled one with settings of its own group, which win over the sink's.
#[test]
fn a_pipelines_own_flattener_runs_instead_of_the_sinks_settings() {
    let env = Env::new();
    produce_orders(&env, "flat-own");
    let yaml = env.yaml(
        "flat-own",
        "flat-own",
        "kinetica.tables.destination_name: flat-own\n\
         kinetica.flatten_source.enabled: true\n\
         kinetica.flatten_source.field_name_delimiter: \"__\"\n\
         flattener: kinetica-flattener\n\
         flattener.field_name_delimiter: \"-\"",
    );
    let config = env.config("own.yaml", &yaml);
    let pipeline = env.start(config);
    env.rows_when("flat-own", 2);
    pipeline.stop().unwrap();
    let names: Vec<String> = columns(&env, "flat-own").into_iter().map(|c| c.0).collect();
    assert_eq!(
        names,
        [
            "id",
            "customer-name",
            "customer-address-city",
            "tags",
            "lines",
            "attrs"
        ]
    );
}
