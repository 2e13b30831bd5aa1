//! Drills: the `sluice` binary against the real broker (Apache Kafka, started by the
//! test support) and the Kinetica emulator, through faults an operator meets. Each
//! drill is bounded and prints what it measured (run with `--nocapture` to see it;
//! docs/runtime.md quotes the figures).

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use sluice_kafka::testing::shared_broker;
use sluice_kafka::{Partitioning, ProducerSettings, RecordProducer, group_progress};
use sluice_kinetica::Value;
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle};
use sluice_record::RawRecord;

const TIMEOUT: Duration = Duration::from_secs(60);

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    eventually_or(what, check, String::new)
}

/// As [`eventually`], saying what `context` gives when it times out.
fn eventually_or<T>(
    what: &str,
    mut check: impl FnMut() -> Option<T>,
    context: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills the daemon if the drill fails while it runs.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sluice run pipeline`, appending its log to `pipeline` + `.log`.
fn start_daemon(pipeline: &std::path::Path) -> Daemon {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(pipeline.with_extension("log"))
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--log-level", "info,librdkafka=warn", "run"])
        .arg(pipeline)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start sluice");
    Daemon(child)
}

/// The daemons' log, for a failure message.
fn log_of(pipeline: &std::path::Path) -> String {
    let text = std::fs::read_to_string(pipeline.with_extension("log")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Produces `{"id": n}` with increasing `n` round-robin over the topic's partitions,
/// in small batches, until told to stop; the number produced so far is in `produced`.
fn steady_stream(
    bootstrap: String,
    topic: &'static str,
    partitions: i32,
    stop: Arc<AtomicBool>,
    produced: Arc<AtomicI64>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut producer = RecordProducer::new(&ProducerSettings {
            bootstrap_servers: bootstrap,
            properties: Default::default(),
        })
        .unwrap();
        let mut next = 0i64;
        while !stop.load(Ordering::Relaxed) {
            let records: Vec<RawRecord> = (next..next + 100)
                .map(|id| RawRecord {
                    topic: topic.into(),
                    partition: (id % i64::from(partitions)) as i32,
                    offset: 0,
                    timestamp: None,
                    headers: Vec::new(),
                    key: None,
                    value: Some(format!(r#"{{"id":{id}}}"#).into_bytes()),
                })
                .collect();
            producer
                .send(topic, &records, Partitioning::AsRecorded)
                .unwrap();
            next += 100;
            produced.store(next, Ordering::Relaxed);
            // Pacing the stream (a rate), not waiting for anything.
            std::thread::sleep(Duration::from_millis(20));
        }
    })
}

fn rows(emulator: &EmulatorHandle, table: &str) -> Vec<i64> {
    emulator
        .rows(table)
        .unwrap_or_default()
        .into_iter()
        .map(|row| match row[0] {
            Value::Long(id) => id,
            ref other => panic!("id is {other:?}"),
        })
        .collect()
}

/// What a kill -9 drill measured.
struct Killed {
    total: i64,
    lost: usize,
    duplicates: usize,
}

/// Kills the daemon `KILLS` times while a steady stream flows into `topic`, restarting
/// it each time, then lets it catch up and counts the rows.
fn kill_9_drill(topic: &'static str, pipeline_name: &str, settings: &str) -> Killed {
    const PARTITIONS: i32 = 4;
    const KILLS: usize = 10;
    let broker = shared_broker();
    broker.create_topic(topic, PARTITIONS).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(sluice_kinetica_emulator::start(EmulatorConfig::default()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("drill.yaml");
    // The session outlasts the whole drill: a restart that had to wait for the killed
    // member's session to expire would time out.
    std::fs::write(
        &pipeline,
        format!(
            "name: {pipeline_name}\n\
             connector.class: kinetica-sink\n\
             topics: [{topic}]\n\
             bootstrap.servers: {}\n\
             kinetica.url: {}\n\
             kinetica.enable_multihead: false\n\
             value.converter.schemas.enable: false\n\
             batch.max.wait.ms: 20\n\
             consumer.session.timeout.ms: 120000\n\
             consumer.max.poll.interval.ms: 120000\n\
             {settings}\n",
            broker.bootstrap_servers(),
            emulator.url()
        ),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let produced = Arc::new(AtomicI64::new(0));
    let stream = steady_stream(
        broker.bootstrap_servers().to_owned(),
        topic,
        PARTITIONS,
        stop.clone(),
        produced.clone(),
    );
    let drill = Instant::now();
    let mut resume_times = Vec::new();
    for _ in 0..KILLS {
        let before = rows(&emulator, topic).len();
        let started = Instant::now();
        let mut daemon = start_daemon(&pipeline);
        // Killed mid-stream, once it has written something since it started.
        eventually("the restarted daemon to write", || {
            (rows(&emulator, topic).len() > before + 200).then_some(())
        });
        resume_times.push(started.elapsed());
        daemon.0.kill().unwrap();
        daemon.0.wait().unwrap();
    }
    let mut last = start_daemon(&pipeline);
    stop.store(true, Ordering::Relaxed);
    stream.join().unwrap();
    let total = produced.load(Ordering::Relaxed);
    let group = format!("sluice-{pipeline_name}");
    let progress = || {
        group_progress(broker.bootstrap_servers(), &group, topic, TIMEOUT)
            .map_err(|e| e.to_string())
    };
    eventually_or(
        "every record committed",
        || {
            if let Ok(Some(status)) = last.0.try_wait() {
                panic!("the daemon exited ({status}):\n{}", log_of(&pipeline));
            }
            let committed: i64 = progress().ok()?.iter().filter_map(|p| p.committed).sum();
            (committed == total).then_some(())
        },
        || {
            format!(
                "{total} produced, {} rows, progress {:?}\n{}",
                rows(&emulator, topic).len(),
                progress(),
                log_of(&pipeline)
            )
        },
    );
    drop(last);
    let ids = rows(&emulator, topic);
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    let lost = (0..total).filter(|id| !distinct.contains(id)).count();
    let duplicates = ids.len() - distinct.len();
    resume_times.sort();
    println!(
        "kill -9 drill ({pipeline_name}): {total} records, {KILLS} kills in {:.1} s; lost \
         {lost}, duplicated {duplicates} ({:.2} %); restart to first rows: median {:?}, max \
         {:?}",
        drill.elapsed().as_secs_f64(),
        100.0 * duplicates as f64 / total as f64,
        resume_times[KILLS / 2],
        resume_times[KILLS - 1],
    );
    Killed {
        total,
        lost,
        duplicates,
    }
}

#[test]
fn kill_9_ten_times_during_a_steady_stream_loses_no_record() {
    let killed = kill_9_drill("drill_kill", "drill", "");
    assert_eq!(killed.lost, 0, "records lost");
    assert!(killed.total > 0);
}

#[test]
fn with_exactly_once_kill_9_ten_times_neither_loses_nor_duplicates_a_record() {
    let killed = kill_9_drill(
        "drill_exactly_once",
        "drill-eo",
        "kinetica.exactly_once.enable: true",
    );
    assert_eq!(killed.lost, 0, "records lost");
    assert_eq!(killed.duplicates, 0, "records written twice");
}
