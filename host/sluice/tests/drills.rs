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
use sluice_kinetica_emulator::EmulatorHandle;
use sluice_record::RawRecord;

use crate::support;

const TIMEOUT: Duration = Duration::from_secs(60);

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    support::eventually_within(TIMEOUT, what, check, String::new)
}

/// As [`eventually`], saying what `context` gives when it times out.
fn eventually_or<T>(
    what: &str,
    check: impl FnMut() -> Option<T>,
    context: impl Fn() -> String,
) -> T {
    support::eventually_within(TIMEOUT, what, check, context)
}

/// Kills the daemon if the drill fails while it runs.
pub(crate) struct Daemon(pub(crate) Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sluice run pipeline`, appending its log to `pipeline` + `.log`.
pub(crate) fn start_daemon(pipeline: &std::path::Path) -> Daemon {
    start_daemon_as(pipeline, "drill")
}

/// As [`start_daemon`], as the Sluice instance `instance` (`SLUICE_INSTANCE_ID`: two
/// daemons of one pipeline need different ones).
fn start_daemon_as(pipeline: &std::path::Path, instance: &str) -> Daemon {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(pipeline.with_extension("log"))
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--log-level", "info,librdkafka=warn", "run"])
        .arg(pipeline)
        .env_remove("RUST_LOG")
        .env("SLUICE_INSTANCE_ID", instance)
        // Daemons of a drill run side by side: each its own port.
        .env("SLUICE_REST_LISTENER", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start sluice");
    Daemon(child)
}

/// The daemons' log, for a failure message.
pub(crate) fn log_of(pipeline: &std::path::Path) -> String {
    let text = std::fs::read_to_string(pipeline.with_extension("log")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// `{"id": n}` records with increasing `n`, produced round-robin over a topic's
/// partitions in small batches until [`Stream::finish`].
struct Stream {
    stop: Arc<AtomicBool>,
    produced: Arc<AtomicI64>,
    thread: std::thread::JoinHandle<()>,
}

impl Stream {
    fn start(bootstrap: &str, topic: &'static str, partitions: i32) -> Stream {
        let bootstrap = bootstrap.to_owned();
        let flag = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicI64::new(0));
        let (stop, produced) = (flag.clone(), count.clone());
        let thread = std::thread::spawn(move || {
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
                        value: Some(format!(r#"{{"id":{id}}}"#).into_bytes().into()),
                    })
                    .collect();
                // While the broker is down the send fails after its delivery timeout:
                // send the same records again, as a producing application would.
                while let Err(e) = producer.send(topic, &records, Partitioning::AsRecorded) {
                    eprintln!("producing to {topic} failed, retrying: {e}");
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                }
                next += 100;
                produced.store(next, Ordering::Relaxed);
                // Pacing the stream (a rate), not waiting for anything.
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Stream {
            stop: flag,
            produced: count,
            thread,
        }
    }

    /// How many records were produced so far.
    fn produced(&self) -> i64 {
        self.produced.load(Ordering::Relaxed)
    }

    /// Stops the stream; returns how many records it produced (ids `0..n`).
    fn finish(self) -> i64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        self.produced.load(Ordering::Relaxed)
    }
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

/// What landed of a stream of ids `0..total`.
struct Tally {
    total: i64,
    lost: usize,
    duplicates: usize,
}

impl Tally {
    fn of(emulator: &EmulatorHandle, table: &str, total: i64) -> Tally {
        let ids = rows(emulator, table);
        let distinct: HashSet<i64> = ids.iter().copied().collect();
        Tally {
            total,
            lost: (0..total).filter(|id| !distinct.contains(id)).count(),
            duplicates: ids.len() - distinct.len(),
        }
    }
}

/// Kills the daemon `KILLS` times while a steady stream flows into `topic`, restarting
/// it each time, then lets it catch up and counts the rows.
fn kill_9_drill(topic: &'static str, pipeline_name: &str, settings: &str) -> Tally {
    const PARTITIONS: i32 = 4;
    const KILLS: usize = 10;
    let broker = shared_broker();
    broker.create_topic(topic, PARTITIONS).unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = drill_pipeline(
        dir.path(),
        pipeline_name,
        topic,
        broker.bootstrap_servers(),
        emulator.url(),
        &format!(
            "consumer.session.timeout.ms: 120000\n\
             consumer.max.poll.interval.ms: 120000\n\
             {settings}"
        ),
    );
    let stream = Stream::start(broker.bootstrap_servers(), topic, PARTITIONS);
    let drill = Instant::now();
    let mut resume_times = Vec::new();
    for _ in 0..KILLS {
        let before = rows(&emulator, topic).len();
        let started = Instant::now();
        let mut daemon = start_daemon(&pipeline);
        // Tally mid-stream, once it has written something since it started.
        eventually("the restarted daemon to write", || {
            (rows(&emulator, topic).len() > before + 200).then_some(())
        });
        resume_times.push(started.elapsed());
        daemon.0.kill().unwrap();
        daemon.0.wait().unwrap();
    }
    let mut last = start_daemon(&pipeline);
    let total = stream.finish();
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
    let Tally {
        lost, duplicates, ..
    } = Tally::of(&emulator, topic, total);
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
    Tally {
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

/// How long each Kinetica fault of the outage drill lasts.
const PHASE: Duration = Duration::from_secs(30);

#[test]
fn kinetica_resetting_then_503_then_silent_is_ridden_out_and_every_record_lands_once() {
    use sluice_kinetica_emulator::fault_proxy::{Fault, FaultProxy};
    const TOPIC: &str = "drill_kinetica";
    let broker = shared_broker();
    broker.create_topic(TOPIC, 2).unwrap();
    let (_runtime, emulator) = support::emulator();
    let proxy = FaultProxy::in_front_of(&emulator).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = drill_pipeline(
        dir.path(),
        "drill-kinetica",
        TOPIC,
        broker.bootstrap_servers(),
        proxy.url(),
        "kinetica.timeout: 5000\nkinetica.exactly_once.enable: true",
    );
    let stream = Stream::start(broker.bootstrap_servers(), TOPIC, 2);
    let mut daemon = start_daemon(&pipeline);
    let alive = |daemon: &mut Daemon| {
        if let Ok(Some(status)) = daemon.0.try_wait() {
            panic!("the daemon exited ({status}):\n{}", log_of(&pipeline));
        }
    };
    eventually("rows to flow", || {
        alive(&mut daemon);
        (rows(&emulator, TOPIC).len() > 200).then_some(())
    });
    for fault in [Fault::Reset, Fault::Unavailable, Fault::Silent] {
        proxy.set(fault);
        let started = Instant::now();
        // Waiting for time to pass is the point of the drill.
        while started.elapsed() < PHASE {
            alive(&mut daemon);
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    proxy.set(Fault::None);
    let recovered = Instant::now();
    let total = stream.finish();
    let group = "sluice-drill-kinetica";
    eventually_or(
        "every record committed after the outage",
        || {
            alive(&mut daemon);
            let progress =
                group_progress(broker.bootstrap_servers(), group, TOPIC, TIMEOUT).ok()?;
            let committed: i64 = progress.iter().filter_map(|p| p.committed).sum();
            (committed == total).then_some(())
        },
        || log_of(&pipeline),
    );
    let caught_up = recovered.elapsed();
    let status = Command::new("kill")
        .args(["-TERM", &daemon.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = daemon.0.wait().unwrap();
    assert!(exit.success(), "{exit}:\n{}", log_of(&pipeline));
    let Tally {
        lost, duplicates, ..
    } = Tally::of(&emulator, TOPIC, total);
    let log = std::fs::read_to_string(pipeline.with_extension("log")).unwrap();
    let degraded = log.matches("the pipeline is degraded").count();
    let recoveries = log.matches("recovered after").count();
    println!(
        "Kinetica outage drill: {total} records through {}s each of resets, 503s and silence; \
         lost {lost}, duplicated {}; caught up {caught_up:?} after the outage; {degraded} \
         degraded and {recoveries} recovered line(s) per task",
        PHASE.as_secs(),
        duplicates
    );
    assert_eq!(lost, 0, "records lost");
    assert_eq!(duplicates, 0, "records written twice");
    // One line in and one out per outage, not one per attempt (the 90 s outage alone
    // takes a dozen attempts). On a loaded machine a request may also time out before
    // or after the faults, a short outage of its own.
    assert_eq!(degraded, recoveries, "{log}");
    assert!((1..=3).contains(&degraded), "{log}");
}

/// A pipeline file for the drills: schemaless JSON from `topic` into the emulator.
fn drill_pipeline(
    dir: &std::path::Path,
    name: &str,
    topic: &str,
    bootstrap: &str,
    kinetica: &str,
    extra: &str,
) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(
        &path,
        format!(
            "name: {name}\n\
             connector.class: kinetica-sink\n\
             topics: [{topic}]\n\
             bootstrap.servers: {bootstrap}\n\
             kinetica.url: {kinetica}\n\
             kinetica.enable_multihead: false\n\
             value.converter.schemas.enable: false\n\
             batch.max.wait.ms: 20\n\
             {extra}\n"
        ),
    )
    .unwrap();
    path
}

fn committed(bootstrap: &str, group: &str, topic: &str) -> Option<i64> {
    let progress = group_progress(bootstrap, group, topic, TIMEOUT).ok()?;
    Some(progress.iter().filter_map(|p| p.committed).sum())
}

#[test]
fn a_broker_restart_mid_stream_loses_no_record() {
    const TOPIC: &str = "drill_broker";
    // A broker of its own: the shared one serves the other drills meanwhile.
    let mut broker = sluice_kafka::broker::KafkaBroker::start().unwrap();
    broker.create_topic(TOPIC, 2).unwrap();
    let bootstrap = broker.bootstrap_servers().to_owned();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = drill_pipeline(
        dir.path(),
        "drill-broker",
        TOPIC,
        &bootstrap,
        emulator.url(),
        "",
    );
    let stream = Stream::start(&bootstrap, TOPIC, 2);
    let mut daemon = start_daemon(&pipeline);
    eventually("rows to flow", || {
        (rows(&emulator, TOPIC).len() > 200).then_some(())
    });
    broker.restart().unwrap();
    let after = rows(&emulator, TOPIC).len();
    eventually_or(
        "rows to flow again after the restart",
        || {
            if let Ok(Some(status)) = daemon.0.try_wait() {
                panic!("the daemon exited ({status}):\n{}", log_of(&pipeline));
            }
            (rows(&emulator, TOPIC).len() > after + 200).then_some(())
        },
        || log_of(&pipeline),
    );
    let total = stream.finish();
    eventually_or(
        "every record committed",
        || (committed(&bootstrap, "sluice-drill-broker", TOPIC)? == total).then_some(()),
        || log_of(&pipeline),
    );
    drop(daemon);
    let log = std::fs::read_to_string(pipeline.with_extension("log")).unwrap();
    let down = log.matches("Kafka is unreachable").count();
    let back = log.matches("Kafka is reachable again").count();
    let Tally {
        lost, duplicates, ..
    } = Tally::of(&emulator, TOPIC, total);
    println!(
        "broker restart drill: {total} records; lost {lost}, duplicated {duplicates}; \
         {down} unreachable and {back} reachable-again line(s)"
    );
    assert_eq!(lost, 0, "records lost");
    // Once per outage, not per reconnect.
    assert!(down >= 1 && down == back, "{log}");
}

#[test]
fn when_one_of_two_daemons_is_killed_the_other_takes_over_within_the_session_timeout() {
    const TOPIC: &str = "drill_two";
    const SESSION: Duration = Duration::from_secs(10);
    let broker = shared_broker();
    broker.create_topic(TOPIC, 4).unwrap();
    let bootstrap = broker.bootstrap_servers();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = drill_pipeline(
        dir.path(),
        "drill-two",
        TOPIC,
        bootstrap,
        emulator.url(),
        &format!("consumer.session.timeout.ms: {}", SESSION.as_millis()),
    );
    let stream = Stream::start(bootstrap, TOPIC, 4);
    let mut first = start_daemon_as(&pipeline, "first");
    let mut second = start_daemon_as(&pipeline, "second");
    // Both members hold partitions: each has logged an assignment.
    eventually_or(
        "both daemons to be assigned partitions",
        || (log_of(&pipeline).matches("assigned drill_two").count() >= 2).then_some(()),
        || log_of(&pipeline),
    );
    eventually("rows to flow", || {
        (rows(&emulator, TOPIC).len() > 200).then_some(())
    });
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let killed = Instant::now();
    let total = stream.finish();
    eventually_or(
        "every record committed by the survivor",
        || {
            if let Ok(Some(status)) = second.0.try_wait() {
                panic!(
                    "the surviving daemon exited ({status}):\n{}",
                    log_of(&pipeline)
                );
            }
            (committed(bootstrap, "sluice-drill-two", TOPIC)? == total).then_some(())
        },
        || log_of(&pipeline),
    );
    let took = killed.elapsed();
    drop(second);
    let Tally {
        lost, duplicates, ..
    } = Tally::of(&emulator, TOPIC, total);
    println!(
        "two-daemon drill: {total} records; one daemon killed, the other had everything \
         committed {took:?} later (session {SESSION:?}); lost {lost}, duplicated {duplicates}"
    );
    assert_eq!(lost, 0, "records lost");
    assert!(
        took < SESSION + Duration::from_secs(20),
        "the survivor took {took:?} to take over (session {SESSION:?})"
    );
}

#[test]
fn sigterm_during_a_write_kinetica_never_answers_exits_within_the_bound() {
    use sluice_kinetica_emulator::fault_proxy::{Fault, FaultProxy};
    const TOPIC: &str = "drill_sigterm";
    let broker = shared_broker();
    broker.create_topic(TOPIC, 1).unwrap();
    let (_runtime, emulator) = support::emulator();
    let proxy = FaultProxy::in_front_of(&emulator).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // kinetica.timeout=0 (the Java connector's default): a request waits forever.
    let pipeline = drill_pipeline(
        dir.path(),
        "drill-sigterm",
        TOPIC,
        broker.bootstrap_servers(),
        proxy.url(),
        "",
    );
    let mut daemon = start_daemon(&pipeline);
    eventually_or(
        "the pipeline to start",
        || {
            log_of(&pipeline)
                .contains("pipeline(s) running")
                .then_some(())
        },
        || log_of(&pipeline),
    );
    proxy.set(Fault::Silent);
    let stream = Stream::start(broker.bootstrap_servers(), TOPIC, 1);
    eventually("records to be produced", || {
        (stream.produced() > 0).then_some(())
    });
    stream.finish();
    // The write is in flight once the table's creation has been asked for.
    eventually_or(
        "a request to hang",
        || {
            log_of(&pipeline)
                .contains("no value schema name")
                .then_some(())
        },
        || log_of(&pipeline),
    );
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &daemon.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = daemon.0.wait().unwrap();
    let took = signalled.elapsed();
    let log = log_of(&pipeline);
    assert!(exit.success(), "{exit}:\n{log}");
    assert!(took < Duration::from_secs(15), "took {took:?}:\n{log}");
    assert!(
        log.contains("did not finish its batch in flight within 5000 ms"),
        "{log}"
    );
    assert_eq!(
        committed(broker.bootstrap_servers(), "sluice-drill-sigterm", TOPIC),
        Some(0),
        "nothing may be committed"
    );
}
