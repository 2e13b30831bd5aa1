//! The REST API of `sluice run`, driven as a script written for Kafka Connect's REST API
//! drives a Connect worker: plain HTTP calls with Connect's paths and bodies, against
//! the real broker and the Kinetica emulator.

use std::process::Command;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sluice_kafka::testing::shared_broker;

use crate::support;
use crate::support::daemon::{
    Api, LOG_LEVEL, Stream, TIMEOUT, TOKEN, launch, start_daemon, start_daemon_args,
    start_daemon_with, worker_with_token,
};

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    support::eventually_within(TIMEOUT, what, check, String::new)
}

/// The samples of metric `name` in a `/metrics` text whose labels include every one
/// of `labels`: each sample's labels (as written) and value.
fn samples(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Vec<(String, f64)> {
    metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix('{')?;
            let (set, value) = rest.split_once("} ")?;
            let all = labels
                .iter()
                .all(|(k, v)| set.split(',').any(|l| l == format!("{k}=\"{v}\"")));
            all.then(|| (set.to_owned(), value.trim().parse().unwrap()))
        })
        .collect()
}

/// The one sample of `name` with exactly `labels`' values among its labels.
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    match samples(metrics, name, labels).as_slice() {
        [] => None,
        [(_, v)] => Some(*v),
        more => panic!("{name} {labels:?}: more than one sample: {more:?}"),
    }
}

/// The sum of `name`'s samples of pipeline `pipeline` (over its tasks, say).
fn total(metrics: &str, name: &str, pipeline: &str) -> f64 {
    samples(metrics, name, &[("pipeline", pipeline)])
        .iter()
        .map(|(_, v)| v)
        .sum()
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
    // Components carry no version of their own (docs/rest.md, "Plugin versions"):
    // every plugin reports the Sluice that bundles it.
    for p in plugins.as_array().unwrap() {
        assert_eq!(p["version"], env!("CARGO_PKG_VERSION"), "{p}");
    }

    // Metrics and health.
    let metrics = api.metrics();
    assert!(
        metrics.contains("sluice_records_in_total{pipeline=\"tweets\",task=\"0\"}"),
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
    assert_eq!(
        total(&metrics, "sluice_records_written_total", "tweets"),
        written as f64,
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

/// `GET /metrics` per task and per stage: record counters with a `task` label (the
/// pipeline's is their sum), failed records, a histogram for converting apart from
/// transforming, and what each transform used of its memory and CPU budget.
#[test]
fn metrics_count_records_per_task_time_each_stage_and_show_the_budgets_used() {
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let (topic, dlq) = ("rest_metered", "rest_metered_dlq");
    broker.create_topic(topic, 2).unwrap();
    broker.create_topic(dlq, 1).unwrap();
    support::produce_tweets_to(bootstrap, topic, 0, 0..10);
    support::produce_tweets_to(bootstrap, topic, 1, 10..20);
    // Not JSON: the converter refuses it, and with errors.tolerance=all it goes to the
    // dead letter queue.
    support::produce_values(bootstrap, topic, 0, vec![b"not json".to_vec()]);
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());
    let config = json!({
        "connector.class": "kinetica-sink",
        "topics": topic,
        "tasks.max": "2",
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "batch.max.wait.ms": 20,
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "transforms": "stamp",
        "transforms.stamp.type": "insert-field",
        "transforms.stamp.static.field": "version",
        "transforms.stamp.static.value": "v1",
    });
    let (status, created) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": "metered", "config": config})),
    );
    assert_eq!(status, 201, "{created}");
    let metrics = eventually("20 rows written and 1 dead-lettered", || {
        let m = api.metrics();
        let written = total(&m, "sluice_records_written_total", "metered");
        let dead = total(&m, "sluice_records_dead_lettered_total", "metered");
        (written == 20.0 && dead == 1.0).then_some(m)
    });
    // One series per task of each record counter.
    for name in [
        "records_in",
        "records_written",
        "records_discarded",
        "tombstones",
        "records_dead_lettered",
        "records_failed",
    ] {
        for task in ["0", "1"] {
            let name = format!("sluice_{name}_total");
            let labels = [("pipeline", "metered"), ("task", task)];
            assert!(
                sample(&metrics, &name, &labels).is_some(),
                "{name} {labels:?}:\n{metrics}"
            );
        }
    }
    assert_eq!(total(&metrics, "sluice_records_in_total", "metered"), 21.0);
    // The dead-lettered record failed; nothing else did.
    assert_eq!(
        total(&metrics, "sluice_records_failed_total", "metered"),
        1.0
    );
    // Converting and transforming are stages of their own; `prepare` is gone.
    for stage in ["consume", "convert", "transform", "write", "commit"] {
        let count = sample(
            &metrics,
            "sluice_batch_stage_seconds_count",
            &[("pipeline", "metered"), ("stage", stage)],
        );
        assert!(count > Some(0.0), "stage {stage}: {count:?}\n{metrics}");
    }
    assert!(
        samples(
            &metrics,
            "sluice_batch_stage_seconds_count",
            &[("stage", "prepare")]
        )
        .is_empty(),
        "{metrics}"
    );
    // What the transform used of its budgets, against them.
    let stamp = [("pipeline", "metered"), ("transform", "stamp")];
    let slowest = sample(&metrics, "sluice_transform_slowest_batch_seconds", &stamp).unwrap();
    let budget = sample(&metrics, "sluice_transform_cpu_budget_seconds", &stamp).unwrap();
    assert!(slowest > 0.0 && slowest < budget, "{slowest} of {budget}");
    let peak = sample(&metrics, "sluice_transform_memory_peak_bytes", &stamp).unwrap();
    let limit = sample(&metrics, "sluice_transform_memory_max_bytes", &stamp).unwrap();
    // A Rust guest's linear memory is at least one 64 KiB page.
    assert!(peak >= 65536.0 && peak <= limit, "{peak} of {limit}");
    // The listing says the same of the budget used.
    let listed = api.transforms("metered");
    let listed_ms = listed[0]["slowest_batch_ms"].as_f64().unwrap();
    assert!((listed_ms / 1e3 - slowest).abs() < 1e-6, "{listed}");
    let running = [("pipeline", "metered"), ("state", "running")];
    assert_eq!(
        sample(&metrics, "sluice_pipeline_state", &running),
        Some(1.0)
    );
    assert_eq!(
        total(&metrics, "sluice_pipeline_state", "metered"),
        1.0,
        "one state at a time"
    );
}

/// The calls of Connect's API a script uses less often: `initial_state`, `Location`,
/// PUT config creating (201) then replacing (200), PATCH, the restart variants, task
/// restarts, a plugin's properties, log levels at run time (and their effect on the
/// log) and readiness.
#[test]
fn the_less_common_connect_calls_answer_as_connect_does() {
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let topic = "rest_calls";
    broker.create_topic(topic, 1).unwrap();
    support::produce_tweets(bootstrap, topic, 0..3);
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, url, log) = launch(
        dir.path(),
        &worker_with_token(),
        &[],
        "calls",
        &[],
        LOG_LEVEL,
    );
    let api = Api::at(url);

    let (status, ready) = api.get("/ready");
    assert_eq!(
        (status, ready),
        (StatusCode::OK, json!({"status": "ready"}))
    );

    let config = json!({
        "connector.class": "kinetica-sink",
        "topics": topic,
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "batch.max.wait.ms": 20,
        "consumer.group.instance.id": "",
    });
    let (status, headers, created) = api.exchange(api.request(
        Method::POST,
        "/connectors",
        Some(json!({"name": "calls", "config": config, "initial_state": "PAUSED"})),
    ));
    assert_eq!(status, 201, "{created}");
    assert_eq!(headers["location"], "/connectors/calls");
    // Paused from its start: its task has consumed nothing, and consumes once resumed.
    let (_, paused) = api.get("/connectors/calls/status");
    assert_eq!(paused["connector"]["state"], "PAUSED", "{paused}");
    assert_eq!(paused["tasks"][0]["state"], "PAUSED", "{paused}");
    assert_eq!(
        total(&api.metrics(), "sluice_records_in_total", "calls"),
        0.0
    );
    let (status, _) = api.send(Method::PUT, "/connectors/calls/resume", None);
    assert_eq!(status, 202);
    eventually("3 rows", || {
        (emulator.row_count(topic) == Some(3)).then_some(())
    });

    // PATCH merges; a null removes the key.
    let (status, patched) = api.send(
        Method::PATCH,
        "/connectors/calls/config",
        Some(json!({"batch.max.records": 7, "batch.max.wait.ms": null})),
    );
    assert_eq!(status, 200, "{patched}");
    let (_, read) = api.get("/connectors/calls/config");
    assert_eq!(read["batch.max.records"], "7", "{read}");
    assert_eq!(read["topics"], topic, "{read}");
    assert!(read.get("batch.max.wait.ms").is_none(), "{read}");

    // Restarts: plain 204; with includeTasks 202 and what restarts RESTARTING; with
    // onlyFailed, a running connector is left alone (202, RUNNING).
    let (status, _) = api.send(Method::POST, "/connectors/calls/restart", None);
    assert_eq!(status, 204);
    let (status, planned) = api.send(
        Method::POST,
        "/connectors/calls/restart?includeTasks=true&onlyFailed=false",
        None,
    );
    assert_eq!(status, 202, "{planned}");
    assert_eq!(planned["connector"]["state"], "RESTARTING", "{planned}");
    assert_eq!(planned["tasks"][0]["state"], "RESTARTING", "{planned}");
    let (status, planned) = api.send(
        Method::POST,
        "/connectors/calls/restart?onlyFailed=true",
        None,
    );
    assert_eq!(status, 202, "{planned}");
    assert_eq!(planned["connector"]["state"], "RUNNING", "{planned}");
    let (status, refused) = api.send(
        Method::POST,
        "/connectors/calls/restart?includeTasks=maybe",
        None,
    );
    assert_eq!(status, 400, "{refused}");

    // Log levels at run time: sluice_runtime's debug lines appear only once asked for
    // (a task restart logs one: `task stopped`).
    let runtime_debug = || {
        log.lines()
            .iter()
            .any(|l| l.contains(" DEBUG ") && l.contains("sluice_runtime"))
    };
    assert!(!runtime_debug(), "debug lines at info level");
    let (status, affected) = api.send(
        Method::PUT,
        "/admin/loggers/sluice_runtime",
        Some(json!({"level": "DEBUG"})),
    );
    assert_eq!(
        (status, affected),
        (StatusCode::OK, json!(["sluice_runtime"]))
    );
    let (_, level) = api.get("/admin/loggers/sluice_runtime");
    assert_eq!(level["level"], "DEBUG", "{level}");
    assert!(level["last_modified"].as_u64().is_some(), "{level}");
    let (_, root) = api.get("/admin/loggers/not_set_anywhere");
    assert_eq!(root["level"], "INFO", "{root}");
    let (status, _) = api.send(
        Method::PUT,
        "/admin/loggers/sluice_runtime",
        Some(json!({"level": "LOUD"})),
    );
    assert_eq!(status, 404);
    let (status, _) = api.send(
        Method::PUT,
        "/admin/loggers/sluice_runtime",
        Some(json!({})),
    );
    assert_eq!(status, 400);

    // A task restart restarts the pipeline (204); an unknown task is 404.
    let (status, _) = api.send(Method::POST, "/connectors/calls/tasks/0/restart", None);
    assert_eq!(status, 204);
    eventually("sluice_runtime's debug lines", || {
        runtime_debug().then_some(())
    });
    let (status, missing) = api.send(Method::POST, "/connectors/calls/tasks/5/restart", None);
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["message"], "Task calls-5 not found");
    eventually("RUNNING again", || {
        (api.state("calls") == "RUNNING").then_some(())
    });

    // A plugin's properties: the connector's and the pipeline's, as ConfigKeyInfos.
    let (status, keys) = api.get("/connector-plugins/KineticaSinkConnector/config");
    assert_eq!(status, 200, "{keys}");
    let key = |name: &str| {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {keys}"))
    };
    let url = key("kinetica.url");
    assert_eq!(
        (url["type"].as_str(), url["required"].as_bool()),
        (Some("STRING"), Some(true))
    );
    assert_eq!(url["importance"], "HIGH");
    assert!(
        url["documentation"].as_str().unwrap().contains("Kinetica"),
        "{url}"
    );
    assert_eq!(key("tasks.max")["required"], false);
    let (status, _) = api.get("/connector-plugins/NoSuchConnector/config");
    assert_eq!(status, 404);

    // PUT config creates (201, Location), then replaces (200).
    let other = json!({
        "connector.class": "kinetica-sink",
        "topics": topic,
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "kinetica.tables.prefix": "other_",
    });
    let (status, headers, created) =
        api.exchange(api.request(Method::PUT, "/connectors/other/config", Some(other.clone())));
    assert_eq!(status, 201, "{created}");
    assert_eq!(headers["location"], "/connectors/other");
    assert_eq!(created["name"], "other", "{created}");
    let (status, replaced) = api.send(Method::PUT, "/connectors/other/config", Some(other));
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(api.get("/connectors").1, json!(["calls", "other"]));
    for name in ["calls", "other"] {
        let (status, _) = api.send(Method::DELETE, &format!("/connectors/{name}"), None);
        assert_eq!(status, 204);
    }
}

/// Deploying a component over REST: as an `application/wasm` body or by a JSON `file`,
/// each refused when its SHA-256 is not the one named; rolled back with
/// `POST …/rollback`; and `sluice transform deploy`, the CLI for it.
#[test]
fn a_transform_deploys_as_wasm_or_by_the_cli_checked_by_sha256_and_rolls_back() {
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let topic = "rest_deploy";
    broker.create_topic(topic, 1).unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());
    let config = json!({
        "connector.class": "kinetica-sink",
        "topics": topic,
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        "batch.max.wait.ms": 20,
        "transforms": "stamp",
        "transforms.stamp.type": "insert-field",
        "transforms.stamp.static.field": "version",
        "transforms.stamp.static.value": "v0",
    });
    let (status, created) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": "deployed", "config": config})),
    );
    assert_eq!(status, 201, "{created}");
    // Records flow, so every swap runs a batch and is answered RUNNING.
    let stream = Stream::start(bootstrap, topic, 1);
    let (stamp_path, pass_path) = (
        sluice_guests::path("insert-field"),
        sluice_guests::path("passthrough"),
    );
    let passthrough = std::fs::read(&pass_path).unwrap();
    let stamp = sluice_engine::digest(&std::fs::read(&stamp_path).unwrap());
    let pass = sluice_engine::digest(&passthrough);
    let path = "/connectors/deployed/transforms/stamp";
    let digest_now = || api.transforms("deployed")[0]["digest"].clone();
    let as_wasm = |sha256: &str| {
        api.call(
            api.client
                .put(format!("{}{path}?sha256={sha256}", api.url))
                .header(reqwest::header::CONTENT_TYPE, "application/wasm")
                .body(passthrough.clone()),
        )
    };

    // A digest that is not the component's: refused before anything is loaded.
    let (status, refused) = as_wasm(&stamp);
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains(&format!("SHA-256 {pass}")),
        "{refused}"
    );
    let (status, refused) = api.send(
        Method::PUT,
        path,
        Some(json!({"file": pass_path, "sha256": stamp})),
    );
    assert_eq!(status, 400, "{refused}");
    assert_eq!(digest_now(), stamp);

    let (status, swapped) = as_wasm(&pass);
    assert_eq!(status, 200, "{swapped}");
    assert_eq!(
        (
            &swapped["state"],
            &swapped["old_digest"],
            &swapped["new_digest"]
        ),
        (&json!("RUNNING"), &json!(stamp), &json!(pass))
    );
    let listed = api.transforms("deployed");
    assert_eq!(
        (&listed[0]["digest"], &listed[0]["previous_digest"]),
        (&json!(pass), &json!(stamp))
    );
    assert_eq!(listed[0]["runs"]["tasks"], 1, "{listed}");

    let (status, back) = api.send(Method::POST, &format!("{path}/rollback"), None);
    assert_eq!(status, 200, "{back}");
    assert_eq!(
        (&back["old_digest"], &back["new_digest"]),
        (&json!(pass), &json!(stamp))
    );
    assert_eq!(digest_now(), stamp);

    // The CLI sends the file as `application/wasm` with its SHA-256, and the token
    // from the environment; without it the daemon refuses.
    let deploy = |token: Option<&str>| {
        let mut cli = Command::new(env!("CARGO_BIN_EXE_sluice"));
        cli.args(["transform", "deploy"])
            .arg(&pass_path)
            .args([
                "--connector",
                "deployed",
                "--alias",
                "stamp",
                "--url",
                &api.url,
            ])
            .env_remove("RUST_LOG")
            .env_remove("SLUICE_REST_TOKEN");
        if let Some(token) = token {
            cli.env("SLUICE_REST_TOKEN", token);
        }
        cli.output().unwrap()
    };
    let out = deploy(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    assert_eq!(digest_now(), stamp);
    let out = deploy(Some(TOKEN));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("stamp: {stamp} → {pass} (RUNNING)\n")
    );
    assert_eq!(digest_now(), pass);
    stream.finish();
}

/// The bearer token is a secret: no response carries it and the daemon never logs it,
/// not even at debug level, whether the calls are authorised or not.
#[test]
fn the_token_never_appears_in_responses_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, url, log) = launch(dir.path(), &worker_with_token(), &[], "token", &[], "debug");
    let api = Api::at(url);
    // Every response as text: status, headers and body.
    let mut seen = String::new();
    let mut answered = |request: RequestBuilder| {
        let response = request.send().unwrap();
        let status = response.status();
        seen.push_str(&format!("{status} {:?}\n", response.headers()));
        seen.push_str(&response.text().unwrap());
        status
    };
    let bad = json!({"name": "x", "config": {"connector.class": "kinetica-sink"}});
    for (method, path, body) in [
        (Method::GET, "/", None),
        (Method::GET, "/connectors?expand=status&expand=info", None),
        (Method::GET, "/openapi.json", None),
        (Method::GET, "/metrics", None),
        (Method::GET, "/admin/loggers", None),
        (Method::POST, "/connectors", Some(bad.clone())),
        (
            Method::PUT,
            "/connectors/x/config",
            Some(json!({"connector.class": "none"})),
        ),
        (Method::DELETE, "/connectors/x", None),
    ] {
        let status = answered(api.request(method.clone(), path, body).bearer_auth(TOKEN));
        assert_ne!(status, 401, "{method} {path} with the token");
    }
    // Without it, with another one, with one that starts as it does, in another scheme.
    for authorization in [
        None,
        Some("Bearer wrong".to_owned()),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Basic {TOKEN}")),
    ] {
        let mut request = api.request(Method::POST, "/connectors", Some(bad.clone()));
        if let Some(value) = &authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        assert_eq!(answered(request), 401, "{authorization:?}");
    }
    // Last, a call the daemon logs: once its line is there, so is every line of the
    // calls before it.
    let status = answered(
        api.request(
            Method::PUT,
            "/admin/loggers/sluice_kafka",
            Some(json!({"level": "DEBUG"})),
        )
        .bearer_auth(TOKEN),
    );
    assert_eq!(status, 200);
    eventually("the log level change logged", || {
        log.lines()
            .iter()
            .any(|l| l.contains("log level of sluice_kafka set to DEBUG"))
            .then_some(())
    });
    assert!(
        !seen.contains(TOKEN),
        "a response carries the token:\n{seen}"
    );
    let lines = log.lines();
    // The calls were logged, refused ones too: what would carry the token if anything.
    let refusals = lines
        .iter()
        .filter(|l| l.contains(" DEBUG ") && l.contains("REST call refused"))
        .count();
    assert_eq!(refusals, 4, "{lines:#?}");
    // The authorised create that the configuration fails.
    let answered = lines.iter().any(|l| {
        l.contains(" DEBUG ") && l.contains("path=/connectors ") && l.contains("status=400")
    });
    assert!(answered, "{lines:#?}");
    let leaked: Vec<&String> = lines.iter().filter(|l| l.contains(TOKEN)).collect();
    assert!(leaked.is_empty(), "logged the token: {leaked:?}");
}

/// A change to a connector while another is under way is 409, as Connect answers while
/// it rebalances. What keeps the first change under way is deterministic: the
/// connector's Kinetica is a socket this test accepts and never answers, so its
/// pipeline's start blocks until the test closes it. Its `pipeline_state` goes
/// stopped → starting → failed meanwhile.
#[test]
fn a_change_while_a_connector_is_being_reconfigured_is_409() {
    let broker = shared_broker();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = json!({
        "connector.class": "kinetica-sink",
        "topics": "rest_busy",
        "bootstrap.servers": broker.bootstrap_servers(),
        "kinetica.url": format!("http://{}", silent.local_addr().unwrap()),
    });
    // STOPPED: created without starting, so nothing connects yet.
    let (status, created) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": "busy", "config": config, "initial_state": "STOPPED"})),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(api.state("busy"), "STOPPED");
    assert_eq!(created["tasks"], json!([]), "{created}");
    let state_is = |state: &str| {
        sample(
            &api.metrics(),
            "sluice_pipeline_state",
            &[("pipeline", "busy"), ("state", state)],
        ) == Some(1.0)
    };
    assert!(state_is("stopped"), "{}", api.metrics());

    // Resuming starts the pipeline, whose sink connects to the silent socket.
    let resume = {
        let api = api.clone();
        std::thread::spawn(move || api.send(Method::PUT, "/connectors/busy/resume", None))
    };
    let (connection, _) = silent.accept().unwrap();
    // The start is under way (its sink is connected and waits for an answer): every
    // other change is refused at once, reads go on.
    let calls = [
        (Method::PUT, "/connectors/busy/config", Some(config.clone())),
        (
            Method::PATCH,
            "/connectors/busy/config",
            Some(json!({"batch.max.records": "7"})),
        ),
        (Method::PUT, "/connectors/busy/pause", None),
        (Method::PUT, "/connectors/busy/stop", None),
        (Method::POST, "/connectors/busy/restart", None),
        (Method::DELETE, "/connectors/busy", None),
    ];
    for (method, path, body) in calls {
        let (status, refused) = api.send(method.clone(), path, body);
        assert_eq!(status, 409, "{method} {path}: {refused}");
        assert_eq!(refused["error_code"], 409, "{refused}");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("connector busy is being reconfigured"),
            "{refused}"
        );
    }
    assert_eq!(
        api.get("/connectors/busy/config").1["kinetica.url"],
        config["kinetica.url"]
    );
    assert!(state_is("starting"), "{}", api.metrics());

    // Kinetica goes away: the start fails, the resume is answered, the connector is
    // FAILED and can be changed again.
    drop(silent);
    drop(connection);
    let (status, _) = resume.join().unwrap();
    assert_eq!(status, 202);
    let (_, failed) = api.get("/connectors/busy/status");
    assert_eq!(failed["connector"]["state"], "FAILED", "{failed}");
    assert!(state_is("failed"), "{}", api.metrics());
    let (status, _) = api.send(Method::DELETE, "/connectors/busy", None);
    assert_eq!(status, 204);
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
    let stream = Stream::start(bootstrap, topic, 1);
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
    let worker = worker_with_token();
    let (_a, url_a) = start_daemon_with(dir.path(), &worker, &[&pipeline], "a");
    let (_b, url_b) = start_daemon_with(dir.path(), &worker, &[&pipeline], "b");
    let (a, b) = (Api::at(url_a), Api::at(url_b));
    let old = sluice_engine::digest(&std::fs::read(sluice_guests::path("insert-field")).unwrap());
    // Records flow to both partitions, so each daemon's task (one partition each, one
    // consumer group) runs batches on what is staged; both have run some before the
    // swap, so both hold a partition.
    let stream = Stream::start(bootstrap, topic, 2);
    for (daemon, api) in [("a", &a), ("b", &b)] {
        eventually(
            &format!("records through the transform on {daemon}"),
            || {
                let listed = api.transforms("shared");
                (listed[0]["digest"] == old && listed[0]["records"].as_u64() > Some(0))
                    .then_some(())
            },
        );
    }
    let passthrough = sluice_guests::path("passthrough");
    let new = sluice_engine::digest(&std::fs::read(&passthrough).unwrap());
    assert_ne!(old, new);
    // The 5 s run from the moment the request is sent; it is answered once the swap
    // ran on a, so it is sent from a thread while b is watched.
    let requested = std::time::Instant::now();
    let requested_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let put = {
        let a = a.clone();
        let body = json!({"file": passthrough, "config": {}});
        std::thread::spawn(move || {
            a.send(
                Method::PUT,
                "/connectors/shared/transforms/stamp?wait_ms=10000",
                Some(body),
            )
        })
    };
    // On b, the new version must have run a batch: its task reported the first
    // offsets it processed with it (`runs`), which it does only after a batch went
    // through it.
    let ran_on_b = support::eventually_within(
        Duration::from_secs(5).saturating_sub(requested.elapsed()),
        "the new version running a batch on the other daemon",
        || {
            let listed = b.transforms("shared");
            let current = &listed[0];
            let ran = current["digest"] == new.as_str()
                && current["runs"]["tasks"] == 1
                && !current["runs"]["first_offsets"].as_array()?.is_empty();
            ran.then(|| current.clone())
        },
        || format!("b lists {}", b.transforms("shared")),
    );
    println!(
        "request → the new version ran a batch on the other daemon: {:?}",
        requested.elapsed()
    );
    assert!(
        ran_on_b["loaded_at"].as_u64().unwrap() >= requested_at,
        "b's version was loaded before the request: {ran_on_b}"
    );
    for first in ran_on_b["runs"]["first_offsets"].as_array().unwrap() {
        assert_eq!(first["topic"], topic, "{ran_on_b}");
    }
    let (status, swapped) = put.join().unwrap();
    assert_eq!(status, 200, "{swapped}");
    assert_eq!(swapped["state"], "RUNNING", "{swapped}");
    assert_eq!(
        (
            swapped["old_digest"].as_str(),
            swapped["new_digest"].as_str()
        ),
        (Some(old.as_str()), Some(new.as_str()))
    );
    // A daemon that starts later runs the current version.
    let (_c, url_c) = start_daemon_with(dir.path(), &worker, &[&pipeline], "c");
    let c = Api::at(url_c);
    eventually("the current version on a daemon started later", || {
        (c.transforms("shared")[0]["digest"] == new.as_str()).then_some(())
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
    let worker = worker_with_token();
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
    let api = Api::at(url);
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
