//! The REST API of `sluice run`, driven as a script written for Kafka Connect's REST API
//! drives a Connect worker: plain HTTP calls with Connect's paths and bodies, against
//! the real broker and the Kinetica emulator.

use std::process::Command;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sluice_kafka::testing::shared_broker;

use crate::support;
use crate::support::daemon::{
    Api, Stream, TIMEOUT, TOKEN, start_daemon, start_daemon_args, start_daemon_with,
};

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    support::eventually_within(TIMEOUT, what, check, String::new)
}

#[test]
fn a_kafka_connect_rest_script_runs_unchanged() {
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let topic = "rest_script";
    broker.create_topic(topic, 1).unwrap();
    support::produce_tweets(bootstrap, topic, 0..5);
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());

    let (status, root) = api.get("/");
    assert_eq!(status, 200);
    assert_eq!(root["version"], env!("CARGO_PKG_VERSION"));

    // Without the token, a mutating call is refused.
    let refused = api
        .client
        .post(format!("{}/connectors", api.url))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().unwrap();
    assert_eq!(body["error_code"], 401);
    assert!(!body.to_string().contains(TOKEN));

    let name = "tweets";
    let config = json!({
        "connector.class": "com.kinetica.kafka.KineticaSinkConnector",
        "tasks.max": "1",
        "topics": topic,
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "kinetica.tables.create_table": true,
        "batch.max.wait.ms": 20,
        // Static members stay in the group for the session timeout after a stop, and
        // offsets change only in an empty group: no static membership here.
        "consumer.group.instance.id": "",
    });
    let (status, created) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": name, "config": config})),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], name);
    assert_eq!(created["type"], "sink");
    assert_eq!(created["tasks"][0], json!({"connector": name, "task": 0}));
    assert_eq!(created["config"]["tasks.max"], "1");

    let (status, again) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": name, "config": config})),
    );
    assert_eq!(status, 409);
    assert_eq!(again["message"], format!("Connector {name} already exists"));

    let (_, names) = api.get("/connectors");
    assert_eq!(names, json!([name]));
    let (_, expanded) = api.get("/connectors?expand=status&expand=info");
    assert_eq!(expanded[name]["info"]["name"], name);
    assert_eq!(expanded[name]["status"]["connector"]["state"], "RUNNING");

    // The table the connector writes: `topic` (kinetica.tables.prefix unset).
    eventually("5 rows", || {
        (emulator.row_count(topic) == Some(5)).then_some(())
    });
    let (_, status_body) = api.get(&format!("/connectors/{name}/status"));
    assert_eq!(status_body["tasks"][0]["state"], "RUNNING", "{status_body}");
    assert!(status_body["connector"]["worker_id"].is_string());
    let (status, task) = api.get(&format!("/connectors/{name}/tasks/0/status"));
    assert_eq!((status, task["id"].clone()), (StatusCode::OK, json!(0)));
    let (_, topics) = api.get(&format!("/connectors/{name}/topics"));
    assert_eq!(topics, json!({name: {"topics": [topic]}}));

    // Pause: records produced meanwhile wait; resume: they land.
    let (status, _) = api.send(Method::PUT, &format!("/connectors/{name}/pause"), None);
    assert_eq!(status, 202);
    eventually("PAUSED", || (api.state(name) == "PAUSED").then_some(()));
    support::produce_tweets(bootstrap, topic, 5..8);
    let (status, _) = api.send(Method::PUT, &format!("/connectors/{name}/resume"), None);
    assert_eq!(status, 202);
    eventually("8 rows", || {
        (emulator.row_count(topic) == Some(8)).then_some(())
    });

    // Offsets can change only while STOPPED.
    let patch = json!({"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": {"kafka_offset": 6}}]});
    let (status, running) = api.send(
        Method::PATCH,
        &format!("/connectors/{name}/offsets"),
        Some(patch.clone()),
    );
    assert_eq!(status, 400);
    assert!(
        running["message"]
            .as_str()
            .unwrap()
            .contains("STOPPED state")
    );
    let (status, _) = api.send(Method::PUT, &format!("/connectors/{name}/stop"), None);
    assert_eq!(status, 204);
    assert_eq!(api.state(name), "STOPPED");
    let (_, info) = api.get(&format!("/connectors/{name}"));
    assert_eq!(info["tasks"], json!([]));
    let offsets_now = |api: &Api| api.get(&format!("/connectors/{name}/offsets")).1;
    assert_eq!(
        offsets_now(&api),
        json!({"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": {"kafka_offset": 8}}]})
    );
    let (status, altered) = api.send(
        Method::PATCH,
        &format!("/connectors/{name}/offsets"),
        Some(patch),
    );
    assert_eq!(status, 200, "{altered}");
    assert_eq!(offsets_now(&api)["offsets"][0]["offset"]["kafka_offset"], 6);
    // Resumed from offset 6, the pipeline writes records 6 and 7 again.
    let (status, _) = api.send(Method::PUT, &format!("/connectors/{name}/resume"), None);
    assert_eq!(status, 202);
    eventually("10 rows", || {
        (emulator.row_count(topic) == Some(10)).then_some(())
    });
    let (status, _) = api.send(Method::PUT, &format!("/connectors/{name}/stop"), None);
    assert_eq!(status, 204);
    let (status, reset) = api.send(Method::DELETE, &format!("/connectors/{name}/offsets"), None);
    assert_eq!(status, 200, "{reset}");
    assert_eq!(offsets_now(&api), json!({"offsets": []}));

    // Reconfigure: PUT on an existing connector is 200; a mismatched name is 400.
    let (status, _) = api.send(
        Method::PUT,
        &format!("/connectors/{name}/config"),
        Some(json!({"name": "other"})),
    );
    assert_eq!(status, 400);
    let mut changed = config.clone();
    changed["tasks.max"] = json!("2");
    let (status, updated) = api.send(
        Method::PUT,
        &format!("/connectors/{name}/config"),
        Some(changed),
    );
    assert_eq!(status, 200, "{updated}");
    let (_, read) = api.get(&format!("/connectors/{name}/config"));
    assert_eq!(read["tasks.max"], "2");
    // It stays stopped, as it was, until resumed; then with two tasks.
    assert_eq!(api.state(name), "STOPPED");
    let (status, _) = api.send(Method::PUT, &format!("/connectors/{name}/resume"), None);
    assert_eq!(status, 202);
    eventually("two running tasks", || {
        let (_, s) = api.get(&format!("/connectors/{name}/status"));
        (s["tasks"].as_array().map(Vec::len) == Some(2) && s["connector"]["state"] == "RUNNING")
            .then_some(())
    });

    // Validation: Connect's ConfigInfos, 200 with the errors counted.
    let mut bad = config.clone();
    bad["kinetica.batch_size"] = json!("many");
    let (status, infos) = api.send(
        Method::PUT,
        "/connector-plugins/KineticaSinkConnector/config/validate",
        Some(bad),
    );
    assert_eq!(status, 200, "{infos}");
    assert!(infos["error_count"].as_u64().unwrap() >= 1, "{infos}");
    let batch = infos["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"]["name"] == "kinetica.batch_size")
        .expect("kinetica.batch_size listed");
    assert!(
        !batch["value"]["errors"].as_array().unwrap().is_empty(),
        "{batch}"
    );

    let (status, plugins) = api.get("/connector-plugins?connectorsOnly=false");
    assert_eq!(status, 200);
    let has = |class: &str, kind: &str| {
        plugins
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["class"] == class && p["type"] == kind)
    };
    assert!(
        has("com.kinetica.kafka.KineticaSinkConnector", "sink"),
        "{plugins}"
    );
    assert!(
        has(
            "org.apache.kafka.connect.transforms.MaskField$Value",
            "transformation"
        ),
        "{plugins}"
    );
    assert!(
        has(
            "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
            "predicate"
        ),
        "{plugins}"
    );
    assert!(
        has("org.apache.kafka.connect.json.JsonConverter", "converter"),
        "{plugins}"
    );

    // Metrics and health.
    let metrics = api.metrics();
    assert!(
        metrics.contains("sluice_records_in_total{pipeline=\"tweets\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nsluice_batch_stage_seconds_count{pipeline=\"tweets\",stage=\"write\"}"),
        "{metrics}"
    );

    // Offsets were reset: the pipeline reads the topic again, and catches up.
    eventually("no lag", || {
        let metrics = api.metrics();
        let caught_up = metrics.contains(&format!(
            "\nsluice_consumer_lag{{pipeline=\"tweets\",topic=\"{topic}\",partition=\"0\"}} 0"
        ));
        let inserts = metrics.contains(
            "\nsluice_sink_request_seconds_count{pipeline=\"tweets\",endpoint=\"/insert/records\"}",
        );
        (caught_up && inserts).then_some(())
    });
    // The same reading as JSON.
    let (status, summary) = api.get("/metrics/pipelines");
    assert_eq!(status, 200);
    let tweets = &summary["pipelines"]["tweets"];
    assert_eq!(tweets["state"], "running", "{summary}");
    assert_eq!(tweets["lag"], 0, "{summary}");
    assert_eq!(tweets["partitions"][0]["topic"], topic, "{summary}");
    // Caught up, nothing moves: both endpoints read the same counters.
    let written = tweets["counters"]["records_written"].as_u64().unwrap();
    assert!(written > 0, "{summary}");
    assert_eq!(tweets["rows_per_table"][topic], written, "{summary}");
    let metrics = api.metrics();
    assert!(
        metrics.contains(&format!(
            "\nsluice_records_written_total{{pipeline=\"tweets\"}} {written}\n"
        )),
        "{metrics}"
    );
    let (status, health) = api.get("/health");
    assert_eq!(
        (status, health["status"].clone()),
        (StatusCode::OK, json!("healthy"))
    );

    let (status, _) = api.send(Method::DELETE, &format!("/connectors/{name}"), None);
    assert_eq!(status, 204);
    let (status, gone) = api.get(&format!("/connectors/{name}"));
    assert_eq!(status, 404);
    assert_eq!(
        gone,
        json!({"error_code": 404, "message": format!("Connector {name} not found")})
    );
}

#[test]
fn without_a_token_the_api_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("worker.yaml");
    std::fs::write(&file, "rest.listener: 0.0.0.0:0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["run", "--worker"])
        .arg(&file)
        .env_remove("SLUICE_REST_LISTENER")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("rest.auth.token"), "{stderr}");
}

/// Each row's (`kafka_offset`, `version`), by offset.
fn versions_by_offset(
    emulator: &sluice_kinetica_emulator::EmulatorHandle,
    table: &str,
) -> Vec<(i64, String)> {
    use sluice_kinetica::Value;
    let columns: Vec<String> = emulator
        .table_type(table)
        .unwrap()
        .columns()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let at = |name: &str| columns.iter().position(|c| c == name).expect(name);
    let (offset, version) = (at("kafka_offset"), at("version"));
    let mut rows: Vec<(i64, String)> = emulator
        .rows(table)
        .unwrap_or_default()
        .into_iter()
        .map(|row| match (&row[offset], &row[version]) {
            (Value::Long(o), Value::String(v)) => (*o, v.clone()),
            other => panic!("row {other:?}"),
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn twenty_hot_swaps_under_a_steady_stream_lose_and_duplicate_nothing_and_a_trapping_one_rolls_back()
{
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let topic = "rest_swaps";
    broker.create_topic(topic, 1).unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());
    let stamp = |version: &str| {
        json!({
            "static.field": "version",
            "static.value": version,
            "offset.field": "kafka_offset",
        })
    };
    let mut config = json!({
        "connector.class": "kinetica-sink",
        "topics": topic,
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "batch.max.wait.ms": 20,
        "batch.max.records": 50,
        "transforms": "stamp",
        "transforms.stamp.type": "insert-field",
    });
    for (k, v) in stamp("v0").as_object().unwrap() {
        config[format!("transforms.stamp.{k}")] = v.clone();
    }
    let (status, created) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": "swaps", "config": config})),
    );
    assert_eq!(status, 201, "{created}");
    let stream = Stream::start(bootstrap, topic);
    eventually("rows flowing", || {
        (emulator.row_count(topic).unwrap_or(0) > 0).then_some(())
    });

    let component = sluice_guests::path("insert-field");
    let mut latencies = Vec::new();
    let mut firsts = Vec::new();
    for i in 1..=20 {
        let started = std::time::Instant::now();
        let (status, swapped) = api.send(
            Method::PUT,
            "/connectors/swaps/transforms/stamp",
            Some(json!({"file": component, "config": stamp(&format!("v{i}"))})),
        );
        latencies.push(started.elapsed());
        assert_eq!(status, 200, "swap {i}: {swapped}");
        assert_eq!(swapped["state"], "RUNNING", "{swapped}");
        let first = &swapped["first_offsets"][0];
        assert_eq!(first["topic"], topic, "{swapped}");
        firsts.push(first["offset"].as_i64().unwrap());
    }
    // A component that traps on its first batch: refused, the stream goes on with v20.
    let (status, refused) = api.send(
        Method::PUT,
        "/connectors/swaps/transforms/stamp",
        Some(json!({"file": sluice_guests::path("trap")})),
    );
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("rolled back"),
        "{refused}"
    );
    let metrics = api.metrics();
    for expected in [
        "\nsluice_transform_swaps_total{pipeline=\"swaps\",transform=\"stamp\"} 20",
        "\nsluice_transform_rollbacks_total{pipeline=\"swaps\",transform=\"stamp\"} 1",
        "\nsluice_transform_seconds_count{pipeline=\"swaps\",transform=\"stamp\"}",
    ] {
        assert!(metrics.contains(expected), "{expected} in:\n{metrics}");
    }
    let (_, listed) = api.get("/connectors/swaps/transforms");
    assert_eq!(listed[0]["alias"], "stamp");
    assert!(listed[0]["records"].as_u64().unwrap() > 0, "{listed}");
    assert!(listed[0]["batches"].as_u64().unwrap() > 20, "{listed}");
    // A Rust guest's linear memory is at least one 64 KiB page; within its limit.
    let peak = listed[0]["memory_peak_bytes"].as_u64().unwrap();
    assert!(
        peak >= 65536 && peak <= listed[0]["memory_max_bytes"].as_u64().unwrap(),
        "{listed}"
    );
    assert_eq!(
        listed[0]["digest"],
        sluice_engine::digest(&std::fs::read(&component).unwrap())
    );

    let produced = stream.finish();
    eventually("every record written", || {
        (emulator.row_count(topic) == Some(produced as usize)).then_some(())
    });
    let rows = versions_by_offset(&emulator, topic);
    let offsets: Vec<i64> = rows.iter().map(|(o, _)| *o).collect();
    assert_eq!(
        offsets,
        (0..produced).collect::<Vec<_>>(),
        "lost or duplicated records"
    );
    // Versions change only forward along the offsets: v0 … v20, each a contiguous run.
    let mut runs: Vec<&str> = rows.iter().map(|(_, v)| v.as_str()).collect();
    runs.dedup();
    let expected: Vec<String> = (0..=20).map(|i| format!("v{i}")).collect();
    assert_eq!(runs, expected, "versions by offset");
    // Each answer named the first offset its version processed.
    for (i, first) in firsts.iter().enumerate() {
        let version = format!("v{}", i + 1);
        let at = rows.iter().find(|(_, v)| *v == version).unwrap().0;
        assert_eq!(at, *first, "first offset of {version}");
    }
    latencies.sort();
    println!(
        "swap latency (request → every task ran a batch on the new version): median {:?}, max {:?}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
}

/// Schemathesis generates requests from `GET /openapi.json` (every path, method,
/// parameter and body it declares) and checks that none gets a 5xx or kills the daemon.
#[test]
fn fuzzing_the_api_from_its_openapi_document_finds_no_server_error() {
    let found = Command::new("schemathesis").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "`schemathesis` is needed: python3 -m pip install schemathesis"
    );
    let dir = tempfile::tempdir().unwrap();
    let (mut daemon, api) = Api::start(dir.path());
    let out = Command::new("schemathesis")
        .args(["run", &format!("{}/openapi.json", api.url)])
        .args(["--checks", "not_a_server_error"])
        .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
        .args([
            "--max-examples",
            "25",
            "--phases",
            "examples,coverage,fuzzing",
        ])
        .args(["--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        // Its cache of found failures goes with the test's directory.
        .current_dir(dir.path())
        .output()
        .expect("run schemathesis");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{report}"
    );
    // The daemon is still there, answering.
    let child = daemon.0.as_mut().unwrap();
    assert!(
        child.try_wait().unwrap().is_none(),
        "the daemon exited:\n{report}"
    );
    let (status, _) = api.get("/health");
    assert_eq!(status, 200);
}

#[test]
fn a_swap_through_one_of_two_daemons_runs_on_both_and_on_one_started_later() {
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let topic = "rest_shared";
    broker.create_topic(topic, 2).unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("shared.yaml");
    std::fs::write(
        &pipeline,
        format!(
            "name: shared\n\
             connector.class: kinetica-sink\n\
             topics: [{topic}]\n\
             bootstrap.servers: {bootstrap}\n\
             kinetica.url: {}\n\
             sluice.config.topic: sluice-configs-rest-shared\n\
             transforms: [stamp]\n\
             transforms.stamp.type: insert-field\n\
             transforms.stamp.static.field: version\n\
             transforms.stamp.static.value: v0\n",
            emulator.url()
        ),
    )
    .unwrap();
    let worker = format!("rest.listener: 127.0.0.1:0\nrest.auth.token: {TOKEN}\n");
    let api = |url: String| Api {
        client: Client::builder().timeout(TIMEOUT).build().unwrap(),
        url,
    };
    let (_a, url_a) = start_daemon_with(dir.path(), &worker, &[&pipeline], "a");
    let (_b, url_b) = start_daemon_with(dir.path(), &worker, &[&pipeline], "b");
    let (a, b) = (api(url_a), api(url_b));
    let digest_on = |api: &Api| {
        let (_, listed) = api.get("/connectors/shared/transforms");
        listed[0]["digest"].as_str().map(str::to_owned)
    };
    let old = eventually("the transform listed on b", || digest_on(&b));
    eventually("the transform listed on a", || digest_on(&a));
    // Records flow, so each daemon's tasks run batches on what is staged.
    let stream = Stream::start(bootstrap, topic);
    let passthrough = sluice_guests::path("passthrough");
    let new = sluice_engine::digest(&std::fs::read(&passthrough).unwrap());
    assert_ne!(old, new);
    let requested = std::time::Instant::now();
    let (status, swapped) = a.send(
        Method::PUT,
        "/connectors/shared/transforms/stamp?wait_ms=10000",
        Some(json!({"file": passthrough, "config": {}})),
    );
    assert!(status.is_success(), "{status}: {swapped}");
    support::eventually_within(
        Duration::from_secs(5),
        "the swap on the other daemon",
        || (digest_on(&b).as_deref() == Some(new.as_str())).then_some(()),
        String::new,
    );
    println!(
        "request → the new version listed on the other daemon: {:?}",
        requested.elapsed()
    );
    // A daemon that starts later runs the current version.
    let (_c, url_c) = start_daemon_with(dir.path(), &worker, &[&pipeline], "c");
    let c = api(url_c);
    eventually("the current version on a daemon started later", || {
        (digest_on(&c).as_deref() == Some(new.as_str())).then_some(())
    });
    stream.finish();
}

#[test]
fn a_config_dir_runs_its_files_keeps_rest_changes_and_follows_edits() {
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    broker.create_topic("rest_dir", 1).unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let pipelines = dir.path().join("pipelines");
    std::fs::create_dir(&pipelines).unwrap();
    let file = |name: &str, batch: u32| {
        format!(
            "name: {name}\nconnector.class: kinetica-sink\ntopics: [rest_dir]\n\
             bootstrap.servers: {bootstrap}\nkinetica.url: {}\nbatch.max.records: {batch}\n\
             consumer.group.instance.id: ''\n",
            emulator.url()
        )
    };
    std::fs::write(pipelines.join("one.yaml"), file("one", 100)).unwrap();
    let worker = format!("rest.listener: 127.0.0.1:0\nrest.auth.token: {TOKEN}\n");
    let start = || {
        start_daemon_args(
            dir.path(),
            &worker,
            &[],
            "dir",
            &["--config-dir".as_ref(), pipelines.as_os_str()],
        )
    };
    let (daemon, url) = start();
    let api = Api {
        client: Client::builder().timeout(TIMEOUT).build().unwrap(),
        url,
    };
    let names = |api: &Api| api.get("/connectors").1;
    eventually("one", || (names(&api) == json!(["one"])).then_some(()));

    // Created over REST: written to the directory.
    let config = json!({
        "connector.class": "kinetica-sink",
        "topics": "rest_dir",
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "consumer.group.instance.id": "",
    });
    let (status, body) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": "two", "config": config})),
    );
    assert_eq!(status, 201, "{body}");
    let written = std::fs::read_to_string(pipelines.join("two.yaml")).unwrap();
    assert!(
        written.contains("connector.class: \"kinetica-sink\""),
        "{written}"
    );

    // Edited on disk: reconfigured. Added: started. Removed: deleted.
    std::fs::write(pipelines.join("one.yaml"), file("one", 7)).unwrap();
    eventually("one reconfigured", || {
        (api.get("/connectors/one/config").1["batch.max.records"] == "7").then_some(())
    });
    std::fs::write(pipelines.join("three.yaml"), file("three", 100)).unwrap();
    eventually("three started", || {
        (names(&api) == json!(["one", "three", "two"])).then_some(())
    });
    std::fs::remove_file(pipelines.join("three.yaml")).unwrap();
    eventually("three deleted", || {
        (names(&api) == json!(["one", "two"])).then_some(())
    });

    // Deleted over REST: its file goes.
    let (status, _) = api.send(Method::DELETE, "/connectors/two", None);
    assert_eq!(status, 204);
    assert!(!pipelines.join("two.yaml").exists());

    // A restart runs what the API last set.
    let (status, _) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": "four", "config": config})),
    );
    assert_eq!(status, 201);
    drop(daemon);
    let (_daemon, url) = start();
    let api = Api { url, ..api };
    eventually("one and four after a restart", || {
        (names(&api) == json!(["four", "one"])).then_some(())
    });
}

#[test]
fn with_rest_tls_the_api_speaks_https_only() {
    let dir = tempfile::tempdir().unwrap();
    let ca = sluice_kinetica_emulator::test_certs::TestCa::new("sluice test CA");
    let server = ca.server_tls(&["127.0.0.1"]);
    let (cert, key) = (dir.path().join("rest.crt"), dir.path().join("rest.key"));
    std::fs::write(&cert, &server.cert_chain_pem).unwrap();
    std::fs::write(&key, &server.key_pem).unwrap();
    let (_daemon, url) = start_daemon(
        dir.path(),
        &format!(
            "rest.listener: 127.0.0.1:0\nrest.tls.cert: {}\nrest.tls.key: {}\n",
            cert.display(),
            key.display()
        ),
    );
    assert!(url.starts_with("https://"), "{url}");
    let trusting = Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let root = trusting.get(format!("{url}/")).send().unwrap();
    assert_eq!(root.status(), 200);
    // Plain HTTP on the same port gets no API.
    let plain = Client::new()
        .get(url.replacen("https://", "http://", 1))
        .send();
    assert!(plain.map_or(true, |r| !r.status().is_success()));
}

/// `validate?connect=true`, Sluice's extension (`sluice validate --connect`): a system
/// that does not answer is an error on the property that names it, counted in
/// `error_count`; without the parameter nothing is contacted.
#[test]
fn validate_with_connect_puts_an_unreachable_system_on_its_property() {
    let kafka = sluice_kafka::mock::MockKafka::start().unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());
    let closed = |n: usize| {
        let listeners: Vec<_> = (0..n)
            .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        listeners
            .iter()
            .map(|l| format!("http://127.0.0.1:{}", l.local_addr().unwrap().port()))
            .collect::<Vec<_>>()
    };
    let stopped = closed(2);
    let (stopped_kinetica, stopped_registry) = (&stopped[0], &stopped[1]);
    let config = |kinetica: &str| {
        json!({
            "name": "reach",
            "connector.class": "com.kinetica.kafka.KineticaSinkConnector",
            "topics": "reach",
            "bootstrap.servers": kafka.bootstrap_servers(),
            "kinetica.url": kinetica,
        })
    };
    let validate = |config: &Value, query: &str| {
        api.send(
            Method::PUT,
            &format!("/connector-plugins/KineticaSinkConnector/config/validate{query}"),
            Some(config.clone()),
        )
    };
    let errors = |infos: &Value, name: &str| -> Vec<String> {
        let entry = infos["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["value"]["name"] == name)
            .unwrap_or_else(|| panic!("no entry for {name} in {infos}"));
        entry["value"]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect()
    };

    let mut down = config(stopped_kinetica);
    down["value.converter"] = json!("io.confluent.connect.avro.AvroConverter");
    down["value.converter.schema.registry.url"] = json!(stopped_registry);
    let (status, infos) = validate(&down, "");
    assert_eq!(status, 200, "{infos}");
    assert_eq!(infos["error_count"], 0, "nothing is contacted: {infos}");

    let (status, infos) = validate(&down, "?connect=true");
    assert_eq!(status, 200, "{infos}");
    assert_eq!(infos["error_count"], 2, "{infos}");
    let kinetica = errors(&infos, "kinetica.url");
    assert_eq!(kinetica.len(), 1, "{infos}");
    assert!(
        kinetica[0].contains(&format!("Kinetica is not reachable at {stopped_kinetica}"))
            && kinetica[0].contains("connection refused"),
        "{kinetica:?}"
    );
    let registry = errors(&infos, "value.converter.schema.registry.url");
    assert_eq!(registry.len(), 1, "{infos}");
    assert!(
        registry[0].contains("Schema Registry is not reachable"),
        "{registry:?}"
    );
    assert_eq!(errors(&infos, "bootstrap.servers"), Vec::<String>::new());

    let (status, infos) = validate(&config(emulator.url()), "?connect=true");
    assert_eq!(status, 200, "{infos}");
    assert_eq!(infos["error_count"], 0, "{infos}");

    let (status, _) = validate(&config(emulator.url()), "?connect=maybe");
    assert_eq!(status, 400);
}
