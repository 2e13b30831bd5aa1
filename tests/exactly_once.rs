//! Exactly-once into Kinetica (`kinetica.exactly_once.enable`): every row carries its
//! record's coordinates, the sink keeps each partition's last done offset in a table
//! of its own, and on assignment it deletes rows above it and the source resumes
//! after it. Mock Kafka → emulator.

use sluice_kinetica::{ClientConfig, EncodedRows, KineticaClient, Options, Value};

use crate::common::{self, Env, TIMEOUT};

const SETTINGS: &str = "value.converter.schemas.enable: false\nkinetica.exactly_once.enable: true";

fn ids(env: &Env, table: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = env
        .emulator
        .rows(table)
        .unwrap_or_default()
        .into_iter()
        .map(|row| match row[0] {
            Value::Long(id) => id,
            ref other => panic!("id is {other:?}"),
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// Sets the stored offset of the pipeline's only partition, as a crash between an
/// insert and the offsets update leaves it.
fn set_stored_offset(env: &Env, offset: i64) {
    let ty = env
        .emulator
        .table_type("sluice_offsets")
        .expect("offsets table");
    let mut rows = env.emulator.rows("sluice_offsets").unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0][3] = Value::Long(offset);
    let mut encoded = EncodedRows::with_capacity(1, 64);
    encoded.push_row(&ty, &rows[0]).unwrap();
    let client = KineticaClient::new(ClientConfig::new(env.emulator.url())).unwrap();
    let options = Options::from([("update_on_existing_pk".to_owned(), "true".to_owned())]);
    env.runtime
        .block_on(client.insert_records("sluice_offsets", &encoded, &options))
        .unwrap();
}

#[test]
fn rows_carry_their_coordinates_and_the_offsets_are_kept_with_them() {
    let env = Env::new();
    env.create_topic("eo", 1);
    let values: Vec<String> = (0..10).map(|i| format!(r#"{{"id": {i}}}"#)).collect();
    env.produce(
        "eo",
        &values
            .iter()
            .map(|v| (None, Some(v.as_str())))
            .collect::<Vec<_>>(),
    );
    let yaml = env.yaml("eo-p", "eo", SETTINGS);
    let pipeline = env.start(env.config("p.yaml", &yaml));
    common::eventually("every record committed", TIMEOUT, || {
        (env.committed("sluice-eo-p", "eo") == Some(10)).then_some(())
    });
    pipeline.stop().unwrap();
    assert_eq!(
        common::columns(&env, "eo"),
        [
            ("id", "long"),
            ("kafka_topic", "string"),
            ("kafka_partition", "int"),
            ("kafka_offset", "long")
        ]
        .map(|(c, t)| (c.to_owned(), t.to_owned()))
    );
    let rows = common::sorted_by_first(env.emulator.rows("eo").unwrap());
    assert_eq!(
        rows[3],
        vec![
            Value::Long(3),
            Value::String("eo".into()),
            Value::Int(0),
            Value::Long(3)
        ]
    );
    assert_eq!(
        env.emulator.rows("sluice_offsets").unwrap(),
        vec![vec![
            Value::String("eo-p".into()),
            Value::String("eo".into()),
            Value::Int(0),
            Value::Long(9),
            Value::String("eo".into())
        ]]
    );
}

#[test]
fn a_restart_deletes_rows_above_the_stored_offset_and_replays_from_it() {
    let env = Env::new();
    env.create_topic("replay", 1);
    let values: Vec<String> = (0..10).map(|i| format!(r#"{{"id": {i}}}"#)).collect();
    env.produce(
        "replay",
        &values
            .iter()
            .map(|v| (None, Some(v.as_str())))
            .collect::<Vec<_>>(),
    );
    let yaml = env.yaml("replay-p", "replay", SETTINGS);
    let first = env.start(env.config("p.yaml", &yaml));
    common::eventually("every record committed", TIMEOUT, || {
        (env.committed("sluice-replay-p", "replay") == Some(10)).then_some(())
    });
    first.stop().unwrap();
    // As if the task had crashed after inserting offsets 5..=9 and before storing
    // their offsets (Kafka's committed offset is past them; the stored one is not).
    set_stored_offset(&env, 4);
    let second = env.start(env.config("p.yaml", &yaml));
    let metrics = second.metrics();
    common::eventually("the replay of offsets 5..=9", TIMEOUT, || {
        (metrics.snapshot().records_written == 5).then_some(())
    });
    second.stop().unwrap();
    assert_eq!(ids(&env, "replay"), (0..10).collect::<Vec<_>>());
    assert_eq!(
        env.emulator.rows("sluice_offsets").unwrap()[0][3],
        Value::Long(9)
    );
}

#[test]
fn a_table_without_the_coordinate_columns_is_refused_naming_them() {
    let env = Env::new();
    env.create_topic("plain", 1);
    let client = KineticaClient::new(ClientConfig::new(env.emulator.url())).unwrap();
    let ty = sluice_kinetica::KineticaType::from_column_list(&[vec!["id", "long"]]).unwrap();
    env.runtime.block_on(async {
        let type_id = client.create_type(&ty, "").await.unwrap();
        client
            .create_table("plain", &type_id, Options::new())
            .await
            .unwrap();
    });
    env.produce("plain", &[(None, Some(r#"{"id": 1}"#))]);
    let yaml = env.yaml("plain-p", "plain", SETTINGS);
    let pipeline = env.start(env.config("p.yaml", &yaml));
    assert!(pipeline.wait(Some(TIMEOUT)));
    let error = pipeline.stop().unwrap_err().to_string();
    assert!(
        error.contains("no column `kafka_topic`") && error.contains("kinetica.exactly_once.enable"),
        "{error}"
    );
    assert_eq!(env.committed("sluice-plain-p", "plain"), None);
}
