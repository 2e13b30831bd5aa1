//! Sluice's Kinetica client against the emulator: catalog calls, inserts and
//! upserts, reading back, typed errors, retries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sluice_kinetica::protocol::{END_OF_SET, ShowTableRequest};
use sluice_kinetica::retry::Sleeper;
use sluice_kinetica::{
    Auth, ClientConfig, EncodedRows, KineticaClient, KineticaError, KineticaType, Options,
    RetryPolicy, Value,
};
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle, start};

fn people_type() -> KineticaType {
    KineticaType::from_column_list(&[
        vec!["id", "int", "primary_key"],
        vec!["name", "string", "char16"],
        vec!["score", "double", "nullable"],
    ])
    .unwrap()
}

fn opts(pairs: &[(&str, &str)]) -> Options {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A client whose back-off delays are recorded instead of slept.
fn recording_client(url: &str, max_retries: u32) -> (KineticaClient, Arc<Mutex<Vec<Duration>>>) {
    let delays = Arc::new(Mutex::new(Vec::new()));
    let seen = delays.clone();
    let sleeper: Sleeper = Arc::new(move |d| {
        seen.lock().unwrap().push(d);
        Box::pin(async {})
    });
    let mut cfg = ClientConfig::new(url);
    cfg.retry = RetryPolicy {
        max_retries: Some(max_retries),
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
        ..RetryPolicy::default()
    };
    (
        KineticaClient::new(cfg).unwrap().with_sleeper(sleeper),
        delays,
    )
}

async fn setup(emu: &EmulatorHandle, table: &str) -> (KineticaClient, KineticaType) {
    let client = KineticaClient::new(ClientConfig::new(emu.url())).unwrap();
    let ty = people_type();
    let type_id = client.create_type(&ty, "").await.unwrap();
    client
        .create_table(table, &type_id, Options::new())
        .await
        .unwrap();
    (client, ty)
}

fn rows(ty: &KineticaType, data: &[(i32, &str, Option<f64>)]) -> EncodedRows {
    let mut out = EncodedRows::new();
    for (id, name, score) in data {
        out.push_row(
            ty,
            &[Value::Int(*id), Value::from(*name), Value::from(*score)],
        )
        .unwrap();
    }
    out
}

#[tokio::test]
async fn catalog_calls_round_trip() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let client = KineticaClient::new(ClientConfig::new(emu.url())).unwrap();

    let status = client.show_system_status().await.unwrap();
    assert!(status["system"].contains("\"status\":\"running\""));
    let props = client.show_system_properties().await.unwrap();
    assert_eq!(props["conf.number_of_hosts"], "1");
    assert_eq!(props["conf.host0_public_urls"], emu.url());

    assert!(!client.has_schema("sales").await.unwrap());
    client.create_schema("sales", false).await.unwrap();
    assert!(client.has_schema("sales").await.unwrap());
    client.create_schema("sales", true).await.unwrap();
    let err = client.create_schema("sales", false).await.unwrap_err();
    assert!(!err.is_retriable(), "{err}");

    let ty = people_type();
    let type_id = client.create_type(&ty, "").await.unwrap();
    assert_eq!(
        client.create_type(&ty, "").await.unwrap(),
        type_id,
        "same type, same id"
    );
    let resp = client
        .create_table(
            "sales.people",
            &type_id,
            opts(&[("no_error_if_exists", "true")]),
        )
        .await
        .unwrap();
    assert_eq!(resp.info["qualified_table_name"], "sales.people");
    assert!(client.has_table("sales.people").await.unwrap());
    assert!(
        !client.has_table("people").await.unwrap(),
        "unqualified = ki_home"
    );

    let info = client
        .describe_table("sales.people")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.type_id, type_id);
    assert!(info.ty.same_as(&ty));
    assert!(!info.is_replicated);
    assert_eq!(info.schema_name.as_deref(), Some("sales"));
    assert!(client.describe_table("sales.nope").await.unwrap().is_none());

    // A replicated table is reported as such.
    client
        .create_table("sales.dim", &type_id, opts(&[("is_replicated", "true")]))
        .await
        .unwrap();
    assert!(
        client
            .describe_table("sales.dim")
            .await
            .unwrap()
            .unwrap()
            .is_replicated
    );

    client.clear_table("sales.people", false).await.unwrap();
    assert!(!client.has_table("sales.people").await.unwrap());
    client.clear_table("sales.people", true).await.unwrap();
    assert!(client.clear_table("sales.people", false).await.is_err());
    emu.shutdown().await;
}

#[tokio::test]
async fn insert_upsert_and_read_back() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let (client, ty) = setup(&emu, "people").await;

    let batch = rows(
        &ty,
        &[
            (1, "ann", Some(1.5)),
            (2, "bob", None),
            (3, "cy", Some(-2.0)),
        ],
    );
    let resp = client
        .insert_records("people", &batch, &Options::new())
        .await
        .unwrap();
    assert_eq!((resp.count_inserted, resp.count_updated), (3, 0));

    // Existing key without upsert: rejected (the whole batch), typed as fatal.
    let dup = rows(&ty, &[(4, "dee", None), (1, "ann2", None)]);
    let err = client
        .insert_records("people", &dup, &opts(&[("update_on_existing_pk", "false")]))
        .await
        .unwrap_err();
    assert!(matches!(err, KineticaError::Fatal { .. }), "{err:?}");
    assert_eq!(err.endpoint(), "/insert/records");
    assert!(err.message().contains("primary key"), "{err}");
    assert_eq!(emu.row_count("people"), Some(3));

    // ignore_existing_pk: the duplicate is dropped, the new row stored.
    let resp = client
        .insert_records("people", &dup, &opts(&[("ignore_existing_pk", "true")]))
        .await
        .unwrap();
    assert_eq!((resp.count_inserted, resp.count_updated), (1, 0));

    // Upsert replaces.
    let up = rows(&ty, &[(2, "bobby", Some(7.0)), (5, "eve", None)]);
    let resp = client
        .insert_records("people", &up, &opts(&[("update_on_existing_pk", "true")]))
        .await
        .unwrap();
    assert_eq!((resp.count_inserted, resp.count_updated), (1, 1));

    let got = client
        .get_records("people", 0, END_OF_SET, opts(&[("sort_by", "id")]))
        .await
        .unwrap();
    assert_eq!(got.total_number_of_records, 5);
    assert!(!got.has_more_records);
    let info = client.describe_table("people").await.unwrap().unwrap();
    assert_eq!(got.type_name, info.type_id);
    let decoded = got.records_binary.decode_all(&ty).unwrap();
    let expected = vec![
        vec![Value::Int(1), "ann".into(), Value::Double(1.5)],
        vec![Value::Int(2), "bobby".into(), Value::Double(7.0)],
        vec![Value::Int(3), "cy".into(), Value::Double(-2.0)],
        vec![Value::Int(4), "dee".into(), Value::Null],
        vec![Value::Int(5), "eve".into(), Value::Null],
    ];
    assert_eq!(decoded, expected);

    // Paging and a key lookup expression.
    let page = client
        .get_records("people", 1, 2, opts(&[("sort_by", "id")]))
        .await
        .unwrap();
    assert_eq!(page.records_binary.decode_all(&ty).unwrap(), expected[1..3]);
    assert!(page.has_more_records);
    let one = client
        .get_records("people", 0, END_OF_SET, opts(&[("expression", "(id = 3)")]))
        .await
        .unwrap();
    assert_eq!(one.records_binary.decode_all(&ty).unwrap(), expected[2..3]);
    emu.shutdown().await;
}

#[tokio::test]
async fn alter_table_columns_adds_a_nullable_column() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let (client, ty) = setup(&emu, "people").await;
    client
        .insert_records("people", &rows(&ty, &[(1, "ann", None)]), &Options::new())
        .await
        .unwrap();
    let alteration = opts(&[
        ("action", "add_column"),
        ("column_name", "age"),
        ("column_type", "int"),
        ("column_properties", "nullable"),
    ]);
    let resp = client
        .alter_table_columns("people", vec![alteration], Options::new())
        .await
        .unwrap();
    let new_ty = KineticaType::from_schema(&resp.type_definition, &resp.properties).unwrap();
    assert_eq!(new_ty.columns().len(), 4);
    assert!(new_ty.columns()[3].nullable);
    assert_eq!(
        emu.rows("people").unwrap(),
        vec![vec![Value::Int(1), "ann".into(), Value::Null, Value::Null]]
    );
    // Rows of the new type go in.
    let mut batch = EncodedRows::new();
    batch
        .push_row(
            &new_ty,
            &[Value::Int(2), "bo".into(), Value::Null, Value::Int(40)],
        )
        .unwrap();
    client
        .insert_records("people", &batch, &Options::new())
        .await
        .unwrap();
    assert_eq!(emu.row_count("people"), Some(2));
    emu.shutdown().await;
}

/// `/alter/table` as schema evolution uses it: a column added with a default fills
/// the existing rows, a required column without one is refused on a non-empty table, a
/// required column becomes nullable with its other properties kept, key columns cannot
/// change, and every change gives the table a new type id that `/show/table` reports.
#[tokio::test]
async fn alter_table_adds_and_changes_columns_with_a_new_type_each_time() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let (client, ty) = setup(&emu, "people").await;
    client
        .insert_records("people", &rows(&ty, &[(1, "ann", None)]), &Options::new())
        .await
        .unwrap();
    let before = client.describe_table("people").await.unwrap().unwrap();

    let err = client
        .alter_table(
            "people",
            "add_column",
            "age",
            opts(&[("column_type", "int")]),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Kinetica /alter/table failed: Cannot add non-nullable column 'age' without a default \
         value to non-empty table 'ki_home.people'"
    );
    let resp = client
        .alter_table(
            "people",
            "add_column",
            "level",
            opts(&[
                ("column_type", "int"),
                ("column_properties", "int8,nullable"),
                ("column_default_value", "3"),
            ]),
        )
        .await
        .unwrap();
    let added = KineticaType::from_schema(&resp.type_definition, &resp.properties).unwrap();
    assert_ne!(resp.type_id, before.type_id, "an alter makes a new type");
    assert_eq!(added.columns()[3].properties, ["int8"]);
    assert!(added.columns()[3].nullable);
    assert_eq!(emu.rows("people").unwrap()[0][3], Value::Int(3));
    let err = client
        .alter_table(
            "people",
            "add_column",
            "level",
            opts(&[("column_type", "int")]),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");

    // `name` is char16 and required: nullable, still char16.
    let resp = client
        .alter_table(
            "people",
            "change_column",
            "name",
            opts(&[
                ("column_type", "string"),
                ("column_properties", "char16,nullable"),
            ]),
        )
        .await
        .unwrap();
    let shown = client.describe_table("people").await.unwrap().unwrap();
    assert_eq!(shown.type_id, resp.type_id);
    let name = &shown.ty.columns()[1];
    assert!(name.nullable);
    assert_eq!(name.properties, ["char16"]);

    let err = client
        .alter_table(
            "people",
            "change_column",
            "id",
            opts(&[
                ("column_type", "long"),
                ("column_properties", "primary_key"),
            ]),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot change primary key or shard key column 'id'"),
        "{err}"
    );

    // Rows encoded with the type from before the alters no longer decode.
    let err = client
        .insert_records("people", &rows(&ty, &[(2, "bo", None)]), &Options::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot decode record"), "{err}");
    let mut batch = EncodedRows::new();
    batch
        .push_row(
            &shown.ty,
            &[
                Value::Int(2),
                Value::Null,
                Value::Double(1.0),
                Value::Int(-4),
            ],
        )
        .unwrap();
    client
        .insert_records("people", &batch, &Options::new())
        .await
        .unwrap();
    assert_eq!(emu.row_count("people"), Some(2));
    emu.shutdown().await;
}

#[tokio::test]
async fn errors_are_typed() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let (client, ty) = setup(&emu, "people").await;
    let batch = rows(&ty, &[(1, "ann", None)]);

    let err = client
        .insert_records("missing", &batch, &Options::new())
        .await
        .unwrap_err();
    assert!(matches!(err, KineticaError::Fatal { .. }));
    assert_eq!(
        err.to_string(),
        "Kinetica /insert/records failed: Table 'ki_home.missing' does not exist"
    );

    // Unknown option keys are rejected, as by a real server.
    let err = client
        .insert_records("people", &batch, &opts(&[("bogus", "1")]))
        .await
        .unwrap_err();
    assert!(
        err.message().contains("Parameter map key: 'bogus'"),
        "{err}"
    );

    // A char16 value that is too long.
    let long = rows(&ty, &[(9, "a name longer than sixteen", None)]);
    let err = client
        .insert_records("people", &long, &Options::new())
        .await
        .unwrap_err();
    assert!(!err.is_retriable());

    // Authentication failures are fatal and never echo the password.
    let mut cfg = ClientConfig::new(emu.url());
    cfg.auth = Auth::basic("admin", "hunter2-secret");
    cfg.retry = RetryPolicy::none();
    let authed = KineticaClient::new(cfg).unwrap();
    emu.inject_failure("/has/table", 1, 401, "Unauthorized");
    let err = authed.has_table("people").await.unwrap_err();
    assert!(matches!(err, KineticaError::Fatal { .. }));
    assert!(!format!("{err} {err:?} {authed:?}").contains("hunter2"));

    // Nothing listening: a retriable connection error.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (c, _) = recording_client(&dead, 0);
    let err = c.has_table("t").await.unwrap_err();
    assert!(err.is_retriable(), "{err:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn retriable_errors_are_retried_with_jittered_backoff() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    setup(&emu, "people").await;
    let (client, delays) = recording_client(emu.url(), 3);

    // Two 503s, then success.
    emu.inject_failure("/has/table", 2, 503, "Service Unavailable");
    assert!(client.has_table("people").await.unwrap());
    let seen = delays.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(seen[0] <= Duration::from_millis(100));
    assert!(seen[1] <= Duration::from_millis(200));

    // A failover text with HTTP 400 is retriable too.
    delays.lock().unwrap().clear();
    emu.inject_failure("/has/table", 1, 400, "Kinetica is offline");
    assert!(client.has_table("people").await.unwrap());
    assert_eq!(delays.lock().unwrap().len(), 1);

    // More failures than retries: the last error comes back, still retriable.
    delays.lock().unwrap().clear();
    emu.inject_failure("/has/table", 10, 500, "boom");
    let err = client.has_table("people").await.unwrap_err();
    assert!(err.is_retriable());
    assert_eq!(err.message(), "boom");
    assert_eq!(delays.lock().unwrap().len(), 3, "max_retries = 3");
    assert_eq!(emu.stats().requests["/has/table"], 2 + 1 + 1 + 1 + 4);

    // Fatal errors are not retried.
    delays.lock().unwrap().clear();
    let err = client
        .call(&ShowTableRequest {
            table_name: "ki_home.nope".into(),
            options: Options::new(),
        })
        .await
        .unwrap_err();
    assert!(!err.is_retriable());
    assert!(delays.lock().unwrap().is_empty());
    emu.shutdown().await;
}
