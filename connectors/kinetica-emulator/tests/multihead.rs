//! Multi-head ingest against an emulator with worker ranks that reject rows
//! they do not own: every row must reach the right worker.

use sluice_kinetica::{
    ClientConfig, EncodedRows, KineticaClient, KineticaType, MultiHeadInserter, Options, Value,
};
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle, MisroutedPolicy, start};

async fn table(
    emu: &EmulatorHandle,
    name: &str,
    cols: &[&[&str]],
    replicated: bool,
) -> (KineticaClient, KineticaType) {
    let client = KineticaClient::new(ClientConfig::new(emu.url())).unwrap();
    let ty = KineticaType::from_column_list(cols).unwrap();
    let type_id = client.create_type(&ty, "").await.unwrap();
    let mut options = Options::new();
    if replicated {
        options.insert("is_replicated".into(), "true".into());
    }
    client.create_table(name, &type_id, options).await.unwrap();
    (client, ty)
}

/// Rows `(i, "name-i", i * 0.5)` for `i` in `range`, with a few string keys
/// repeated across types of key columns.
fn batch(ty: &KineticaType, range: std::ops::Range<i64>) -> EncodedRows {
    let mut rows = EncodedRows::new();
    for i in range {
        rows.push_row(
            ty,
            &[
                Value::Long(i),
                Value::String(format!("name-{i}")),
                Value::Double(i as f64 * 0.5),
            ],
        )
        .unwrap();
    }
    rows
}

const SHARDED: &[&[&str]] = &[
    &["id", "long", "primary_key"],
    &["name", "string", "shard_key", "primary_key"],
    &["v", "double"],
];
const PK_ONLY: &[&[&str]] = &[
    &["id", "long", "primary_key"],
    &["name", "string"],
    &["v", "double"],
];
const KEYLESS: &[&[&str]] = &[&["id", "long"], &["name", "string"], &["v", "double"]];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_reach_their_ranks_and_counts_add_up() {
    let emu = start(EmulatorConfig::with_workers(3)).await.unwrap();
    assert_eq!(emu.worker_urls().len(), 3);
    for (name, cols) in [("sharded", SHARDED), ("pk_only", PK_ONLY)] {
        let (client, ty) = table(&emu, name, cols, false).await;
        let ins = MultiHeadInserter::new(client, name, &ty, false)
            .await
            .unwrap();
        assert!(ins.is_multi_head());
        let before = emu.stats();
        let counts = ins
            .insert(&batch(&ty, 0..1000), &Options::new())
            .await
            .unwrap();
        assert_eq!(counts.count_inserted, 1000, "{name}");
        assert_eq!(counts.count_updated, 0);
        assert_eq!(counts.requests, 3, "one request per worker");
        assert_eq!(emu.row_count(name), Some(1000));

        let after = emu.stats();
        assert_eq!(after.misrouted_rows, 0, "{name}: misrouted rows");
        assert_eq!(
            after.rows_by_rank.get(&0),
            None,
            "{name}: nothing via the head"
        );
        for rank in 1..=3 {
            let got = after.rows_by_rank.get(&rank).copied().unwrap_or(0)
                - before.rows_by_rank.get(&rank).copied().unwrap_or(0);
            assert!(got > 200, "{name}: rank {rank} got only {got} rows");
        }

        // Upserting the same keys updates, on the same ranks.
        let counts = ins
            .insert(
                &batch(&ty, 990..1010),
                &Options::from([("update_on_existing_pk".into(), "true".into())]),
            )
            .await
            .unwrap();
        assert_eq!(
            (counts.count_inserted, counts.count_updated),
            (10, 10),
            "{name}"
        );
        assert_eq!(emu.row_count(name), Some(1010));
        assert_eq!(emu.stats().misrouted_rows, 0);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn workers_reject_misrouted_rows() {
    let emu = start(EmulatorConfig::with_workers(3)).await.unwrap();
    let (client, ty) = table(&emu, "sharded", SHARDED, false).await;
    // Everything to rank 1, bypassing routing: most rows belong elsewhere.
    let err = client
        .insert_records_at(
            &emu.worker_urls()[0],
            "sharded",
            &batch(&ty, 0..100),
            &Options::new(),
        )
        .await
        .unwrap_err();
    assert!(!err.is_retriable());
    assert!(err.message().contains("belong to other ranks"), "{err}");
    assert_eq!(emu.row_count("sharded"), Some(0));
    assert!(emu.stats().misrouted_rows > 0);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_shard_map_is_reloaded_and_rows_resent() {
    let emu = start(EmulatorConfig::with_workers(3)).await.unwrap();
    let (client, ty) = table(&emu, "sharded", SHARDED, false).await;
    let ins = MultiHeadInserter::new(client, "sharded", &ty, false)
        .await
        .unwrap();
    let (v1, ranks) = emu.shard_map();
    assert_eq!(ins.shard_map().unwrap().version, v1);

    // Rebalance: every shard moves to the next rank.
    let moved: Vec<i32> = ranks.iter().map(|r| r % 3 + 1).collect();
    let v2 = emu.set_shard_ranks(moved.clone());
    let counts = ins
        .insert(&batch(&ty, 0..300), &Options::new())
        .await
        .unwrap();
    assert_eq!(counts.count_inserted, 300);
    assert!(counts.shard_map_refreshed);
    assert_eq!(ins.shard_map().unwrap().version, v2);
    assert_eq!(ins.shard_map().unwrap().ranks, moved);
    assert_eq!(emu.row_count("sharded"), Some(300));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_rerouted_replies_refresh_the_map() {
    let cfg = EmulatorConfig {
        misrouted: MisroutedPolicy::Reroute,
        ..EmulatorConfig::with_workers(2)
    };
    let emu = start(cfg).await.unwrap();
    let (client, ty) = table(&emu, "sharded", SHARDED, false).await;
    let ins = MultiHeadInserter::new(client, "sharded", &ty, false)
        .await
        .unwrap();
    let (_, ranks) = emu.shard_map();
    let v2 = emu.set_shard_ranks(ranks.iter().map(|r| 3 - r).collect());
    // The workers store misrouted rows and say so; the map is reloaded.
    let counts = ins
        .insert(&batch(&ty, 0..50), &Options::new())
        .await
        .unwrap();
    assert_eq!(counts.count_inserted, 50);
    assert!(counts.shard_map_refreshed);
    assert_eq!(ins.shard_map().unwrap().version, v2);
    // The next batch is routed by the new map: nothing misrouted any more.
    let misrouted = emu.stats().misrouted_rows;
    ins.insert(&batch(&ty, 50..100), &Options::new())
        .await
        .unwrap();
    assert_eq!(emu.stats().misrouted_rows, misrouted);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_tables_spread_and_replicated_tables_use_the_head() {
    let emu = start(EmulatorConfig::with_workers(3)).await.unwrap();
    let (client, ty) = table(&emu, "keyless", KEYLESS, false).await;
    let ins = MultiHeadInserter::new(client.clone(), "keyless", &ty, false)
        .await
        .unwrap();
    assert!(ins.is_multi_head());
    assert!(ins.shard_map().is_none(), "no shard map for keyless tables");
    let counts = ins
        .insert(&batch(&ty, 0..90), &Options::new())
        .await
        .unwrap();
    assert_eq!((counts.count_inserted, counts.requests), (90, 3));
    let stats = emu.stats();
    for rank in 1..=3 {
        assert_eq!(stats.rows_by_rank.get(&rank), Some(&30));
    }

    let (client, ty) = table(&emu, "dim", SHARDED, true).await;
    let ins = MultiHeadInserter::new(client, "dim", &ty, true)
        .await
        .unwrap();
    assert!(!ins.is_multi_head());
    ins.insert(&batch(&ty, 0..10), &Options::new())
        .await
        .unwrap();
    assert_eq!(emu.stats().rows_by_rank.get(&0), Some(&10));
    emu.shutdown().await;
}

#[tokio::test]
async fn without_worker_servers_everything_goes_to_the_head() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let (client, ty) = table(&emu, "sharded", SHARDED, false).await;
    let ins = MultiHeadInserter::new(client, "sharded", &ty, false)
        .await
        .unwrap();
    assert!(!ins.is_multi_head());
    let counts = ins
        .insert(&batch(&ty, 0..10), &Options::new())
        .await
        .unwrap();
    assert_eq!((counts.count_inserted, counts.requests), (10, 1));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn individually_refused_rows_are_reported_with_their_batch_index() {
    let emu = start(EmulatorConfig::with_workers(3)).await.unwrap();
    let cols: &[&[&str]] = &[&["id", "long", "primary_key"], &["code", "string", "char4"]];
    let (client, ty) = table(&emu, "codes", cols, false).await;
    let mut rows = EncodedRows::new();
    let mut too_long = Vec::new();
    for i in 0..60i64 {
        // Every seventh code exceeds char4 and is refused by the server.
        let code = if i % 7 == 3 {
            "toolong".to_string()
        } else {
            format!("c{i}")
        };
        if code.len() > 4 {
            too_long.push(i as usize);
        }
        rows.push_row(&ty, &[Value::Long(i), Value::String(code)])
            .unwrap();
    }
    let options = Options::from([("return_individual_errors".into(), "true".into())]);
    for ins in [
        MultiHeadInserter::new(client.clone(), "codes", &ty, false)
            .await
            .unwrap(),
        MultiHeadInserter::head_only(client.clone(), "codes"),
    ] {
        client
            .call(&sluice_kinetica::protocol::DeleteRecordsRequest {
                table_name: "codes".into(),
                expressions: vec![],
                options: Options::from([("delete_all_records".into(), "true".into())]),
            })
            .await
            .unwrap();
        let counts = ins.insert(&rows, &options).await.unwrap();
        let mut bad: Vec<usize> = counts.bad_records.iter().map(|b| b.index).collect();
        bad.sort_unstable();
        assert_eq!(bad, too_long, "multi-head: {}", ins.is_multi_head());
        assert!(
            counts.bad_records[0].message.contains("char4"),
            "{:?}",
            counts.bad_records[0]
        );
        assert_eq!(counts.count_inserted as usize, 60 - too_long.len());
        assert_eq!(emu.row_count("codes"), Some(60 - too_long.len()));
    }
    emu.shutdown().await;
}
