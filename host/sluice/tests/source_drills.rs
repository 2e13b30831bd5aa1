//! Drills of the Kinetica source: the `sluice` binary streaming a table of the emulator
//! (its insert monitor over ZMQ) to the real broker, killed with `kill -9` and restarted
//! while the table receives steady inserts. With a tracking column nothing is lost, and
//! with exactly-once nothing is repeated either.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use sluice_kafka::testing::shared_broker;
use sluice_kafka::{KafkaSource, SourceSettings, Topics};
use sluice_kinetica::{ClientConfig, EncodedRows, KineticaClient, KineticaType, Options, Value};
use sluice_kinetica_emulator::EmulatorConfig;

use crate::drills::{log_of, start_daemon};
use crate::support;

const TIMEOUT: Duration = Duration::from_secs(90);
const KILLS: usize = 5;

/// Rows `(id, msg)` with increasing ids inserted in small batches until [`Inserts::finish`].
struct Inserts {
    stop: Arc<AtomicBool>,
    inserted: Arc<AtomicI64>,
    thread: std::thread::JoinHandle<()>,
}

impl Inserts {
    fn start(url: String, table: &'static str, ty: KineticaType) -> Inserts {
        let (stop, inserted) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicI64::new(0)),
        );
        let (flag, count) = (stop.clone(), inserted.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let client = KineticaClient::new(ClientConfig::new(url)).unwrap();
            let mut next = 0i64;
            while !flag.load(Ordering::Relaxed) {
                let mut rows = EncodedRows::new();
                for id in next..next + 20 {
                    let msg = if id % 7 == 0 {
                        Value::Null
                    } else {
                        format!("row {id}").into()
                    };
                    rows.push_row(&ty, &[Value::Long(id), msg]).unwrap();
                }
                runtime
                    .block_on(client.insert_records(table, &rows, &Options::new()))
                    .unwrap();
                next += 20;
                count.store(next, Ordering::Relaxed);
                // Pacing the inserts (a rate), not waiting for anything.
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        Inserts {
            stop,
            inserted,
            thread,
        }
    }

    /// Stops inserting; returns how many rows were inserted (ids `0..n`).
    fn finish(self) -> i64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        self.inserted.load(Ordering::Relaxed)
    }
}

/// The ids of the table's topic, in topic order, as a `read_committed` consumer sees them.
struct Topic {
    reader: KafkaSource,
    ids: Vec<i64>,
}

impl Topic {
    fn new(bootstrap: &str, topic: &str) -> Topic {
        let reader = KafkaSource::new(&SourceSettings {
            bootstrap_servers: bootstrap.to_owned(),
            group_id: format!("reader-{topic}"),
            topics: Topics::List(vec![topic.to_owned()]),
            properties: [("isolation.level".to_owned(), "read_committed".to_owned())].into(),
        })
        .unwrap();
        Topic {
            reader,
            ids: Vec::new(),
        }
    }

    fn read(&mut self) -> usize {
        for record in self
            .reader
            .poll_batch(1000, Duration::from_millis(100))
            .unwrap()
        {
            let value: serde_json::Value =
                serde_json::from_slice(record.value.as_deref().unwrap()).unwrap();
            let key: serde_json::Value =
                serde_json::from_slice(record.key.as_deref().unwrap()).unwrap();
            let id = value["payload"]["id"].as_i64().unwrap();
            assert_eq!(key["payload"]["id"], id, "the key is the primary key");
            self.ids.push(id);
        }
        self.ids.len()
    }
}

/// Kills the source `KILLS` times while rows are inserted, restarting it each time,
/// then lets it catch up; returns the ids its topic holds, in order, and how many rows
/// were inserted.
fn source_kill_9_drill(name: &str, table: &'static str, settings: &str) -> (Vec<i64>, i64) {
    let broker = shared_broker();
    let topic = format!("drill.{table}");
    broker.create_topic(&topic, 1).unwrap();
    let (runtime, emulator) = support::emulator_with(EmulatorConfig {
        monitor_port: Some(0),
        ..EmulatorConfig::default()
    });
    let ty = KineticaType::from_column_list(&[
        vec!["id", "long", "primary_key"],
        vec!["msg", "string", "nullable"],
    ])
    .unwrap();
    let client = KineticaClient::new(ClientConfig::new(emulator.url())).unwrap();
    runtime.block_on(async {
        let type_id = client.create_type(&ty, "").await.unwrap();
        client
            .create_table(table, &type_id, Options::new())
            .await
            .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join(format!("{name}.yaml"));
    std::fs::write(
        &pipeline,
        format!(
            "name: {name}\n\
             connector.class: com.kinetica.kafka.KineticaSourceConnector\n\
             kinetica.url: {}\n\
             kinetica.table_names: {table}\n\
             kinetica.topic_prefix: drill.\n\
             kinetica.source.tracking_column: id\n\
             bootstrap.servers: {}\n\
             offsets.storage.topic: offsets.{name}\n\
             batch.max.wait.ms: 20\n\
             {settings}\n",
            emulator.url(),
            broker.bootstrap_servers()
        ),
    )
    .unwrap();
    let mut published = Topic::new(broker.bootstrap_servers(), &topic);
    let inserts = Inserts::start(emulator.url().to_owned(), table, ty);
    let drill = Instant::now();
    for _ in 0..KILLS {
        let before = published.read();
        let mut daemon = start_daemon(&pipeline);
        support::eventually_within(
            TIMEOUT,
            "the restarted source to publish",
            || (published.read() > before + 100).then_some(()),
            || log_of(&pipeline),
        );
        daemon.0.kill().unwrap();
        daemon.0.wait().unwrap();
    }
    let mut last = start_daemon(&pipeline);
    let total = inserts.finish();
    support::eventually_within(
        TIMEOUT,
        "every inserted row in Kafka",
        || {
            if let Ok(Some(status)) = last.0.try_wait() {
                panic!("the daemon exited ({status}):\n{}", log_of(&pipeline));
            }
            published.read();
            let distinct: std::collections::HashSet<i64> = published.ids.iter().copied().collect();
            (distinct.len() as i64 == total).then_some(())
        },
        || format!("{total} inserted\n{}", log_of(&pipeline)),
    );
    drop(last);
    println!(
        "source kill -9 drill ({name}): {total} rows, {KILLS} kills in {:.1} s; {} records \
         ({} repeated)",
        drill.elapsed().as_secs_f64(),
        published.ids.len(),
        published.ids.len() as i64 - total,
    );
    (published.ids, total)
}

#[test]
fn a_source_killed_five_times_publishes_every_row_at_least_once_in_tracking_order() {
    let (ids, total) = source_kill_9_drill("source-drill", "drill_rows", "");
    let expected: std::collections::BTreeSet<i64> = (0..total).collect();
    let seen: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(seen, expected, "every row, none other");
    // In order but for the replays after each kill: at most one step back per restart.
    let steps_back = ids.windows(2).filter(|w| w[1] <= w[0]).count();
    assert!(steps_back <= KILLS, "{steps_back} steps back in {ids:?}");
}

#[test]
fn with_exactly_once_a_source_killed_five_times_publishes_every_row_once_in_order() {
    let (ids, total) = source_kill_9_drill(
        "source-drill-eo",
        "drill_rows_eo",
        "exactly.once.source.support: enabled",
    );
    assert_eq!(
        ids,
        (0..total).collect::<Vec<_>>(),
        "every row once, in order"
    );
}
