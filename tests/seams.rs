//! The task loop knows sources and sinks only by their traits: a pipeline in the other
//! direction (a source of typed rows → transforms → the value converter encoding →
//! a sink of bytes, as Kinetica → Kafka will be) runs without touching it. The pair
//! here is test-only: a source that hands out typed records and a sink that keeps
//! the bytes it is given (buffered until flushed, so the source's commit can check
//! that nothing unflushed is committed), both sharing their state with the test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use sluice_config::pipeline::PipelineConfig;
use sluice_config::{
    ConfigDef, ConnectorKind, ConnectorSpec, Origin, PropertyDef, PropertyType, RawProperties,
    no_cross_check,
};
use sluice_connect::{
    BatchLimits, ConnectError, ConnectorPlugin, Factory, Offsets, SetupProblem, Sink, SinkBatch,
    SinkFactory, SinkInput, Source, SourceBatch, SourceFactory, TaskContext, WriteReport,
};
use sluice_engine::WasmEngine;
use sluice_record::{Data, RawRecord, Record, Schema, SchemaBuilder, Struct, Value};
use sluice_runtime::{Pipeline, Registry, RunOptions};

const ROWS: i64 = 25;

/// What the test-only source and sink share with the test.
#[derive(Default)]
struct Seen {
    written: Mutex<Vec<RawRecord>>,
    written_changed: Condvar,
    committed: Mutex<Offsets>,
    polls: AtomicUsize,
}

fn seen() -> &'static Seen {
    static SEEN: std::sync::OnceLock<Seen> = std::sync::OnceLock::new();
    SEEN.get_or_init(Seen::default)
}

fn row_schema() -> Arc<Schema> {
    SchemaBuilder::structure()
        .name("row")
        .field("id", SchemaBuilder::int64().build_ref())
        .field("name", SchemaBuilder::string().build_ref())
        .build_ref()
}

/// Hands out `ROWS` typed rows of table `rows`, `batch.max.records` at a time.
struct RowSource {
    next: i64,
    schema: Arc<Schema>,
    topic: Arc<str>,
}

impl Source for RowSource {
    fn poll(&mut self, limits: &BatchLimits) -> Result<SourceBatch, ConnectError> {
        seen().polls.fetch_add(1, Ordering::Relaxed);
        let mut batch = Vec::new();
        while self.next < ROWS && batch.len() < limits.max_records {
            let row = Struct::from_values(
                self.schema.clone(),
                vec![
                    Value::Int64(self.next),
                    Value::String(format!("row-{}", self.next).into()),
                ],
            )
            .unwrap();
            batch.push(Record {
                topic: self.topic.clone(),
                partition: 0,
                offset: self.next,
                timestamp: None,
                headers: Vec::new(),
                key: Data::NULL,
                value: Data::with_schema(self.schema.clone(), Value::Struct(row)),
            });
            self.next += 1;
        }
        if batch.is_empty() {
            std::thread::sleep(limits.max_wait.min(Duration::from_millis(10)));
        }
        Ok(SourceBatch::Records(batch))
    }

    fn commit(&mut self, acknowledged: &Offsets) -> Result<(), ConnectError> {
        // Nothing is committed that the sink has not made durable (flushed).
        let durable = seen().written.lock().unwrap().len() as i64;
        let last = acknowledged.get("rows", 0).unwrap_or(-1);
        assert!(
            last < durable,
            "offset {last} committed, {durable} row(s) flushed"
        );
        seen().committed.lock().unwrap().merge(acknowledged);
        Ok(())
    }

    fn pause(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }

    fn resume(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

struct RowSourceFactory;

impl SourceFactory for RowSourceFactory {
    fn create(&self, _task: TaskContext<'_>) -> Result<Box<dyn Source>, SetupProblem> {
        Ok(Box::new(RowSource {
            next: 0,
            schema: row_schema(),
            topic: Arc::from("rows"),
        }))
    }
}

/// Keeps the bytes it is given, buffered until `flush` makes them durable (as a Kafka
/// producer's sink would).
struct KeepingSink {
    pending: Vec<RawRecord>,
}

impl Sink for KeepingSink {
    fn input(&self) -> SinkInput {
        SinkInput::Raw
    }

    fn write(&mut self, batch: SinkBatch<'_>) -> Result<WriteReport, ConnectError> {
        let SinkBatch::Raw(records) = batch else {
            panic!("asked for bytes, got typed records");
        };
        self.pending.extend(records.iter().cloned());
        let mut report = WriteReport::default();
        report
            .written
            .insert("rows".to_owned(), records.len() as u64);
        Ok(report)
    }

    fn flush(&mut self) -> Result<(), ConnectError> {
        seen().written.lock().unwrap().append(&mut self.pending);
        seen().written_changed.notify_all();
        Ok(())
    }
}

struct KeepingSinkFactory;

impl SinkFactory for KeepingSinkFactory {
    fn create(&self, _task: TaskContext<'_>) -> Result<Box<dyn Sink>, SetupProblem> {
        Ok(Box::new(KeepingSink {
            pending: Vec::new(),
        }))
    }
}

fn rows_def() -> ConfigDef {
    ConfigDef::new(
        "test-rows",
        vec![PropertyDef::new("rows.table", PropertyType::String, "The table.").default("rows")],
    )
}

fn registry() -> Registry {
    Registry::empty()
        .with_connector(ConnectorPlugin {
            spec: ConnectorSpec {
                name: "test-rows",
                class_names: &["com.example.RowSourceConnector"],
                kind: ConnectorKind::Source,
                config_def: rows_def,
                check: no_cross_check,
            },
            factory: Factory::Source(|_: &PipelineConfig| {
                Ok(Arc::new(RowSourceFactory) as Arc<dyn SourceFactory>)
            }),
            flattener: None,
        })
        .with_kafka_sink(|_: &PipelineConfig| {
            Ok(Arc::new(KeepingSinkFactory) as Arc<dyn SinkFactory>)
        })
}

#[test]
fn a_source_of_typed_rows_reaches_a_sink_of_bytes_through_transforms_and_the_converter() {
    let registry = registry();
    let raw = RawProperties::from_pairs(
        Origin::file("rows.yaml"),
        [
            ("name", "rows-to-kafka"),
            ("connector.class", "com.example.RowSourceConnector"),
            ("batch.max.records", "10"),
            ("batch.max.wait.ms", "10"),
            ("value.converter", "json"),
            ("value.converter.schemas.enable", "false"),
            ("transforms", "tag"),
            ("transforms.tag.type", "insert-field"),
            ("transforms.tag.static.field", "origin"),
            ("transforms.tag.static.value", "kinetica"),
        ],
    );
    let config = PipelineConfig::from_raw(&raw, registry.connector_specs())
        .into_result()
        .unwrap_or_else(|p| panic!("{p}"))
        .0;
    let options = RunOptions {
        registry: Arc::new(registry),
        ..RunOptions::default()
    };
    let engine = WasmEngine::new(None).unwrap();
    let pipeline = Pipeline::start(config, &engine, options).unwrap_or_else(|e| panic!("{e}"));

    let written = seen().written.lock().unwrap();
    let (written, timeout) = seen()
        .written_changed
        .wait_timeout_while(written, Duration::from_secs(60), |w| {
            w.len() < ROWS as usize
        })
        .unwrap();
    assert!(!timeout.timed_out(), "only {} rows arrived", written.len());
    let values: Vec<serde_json::Value> = written
        .iter()
        .map(|r| serde_json::from_slice(r.value.as_deref().unwrap()).unwrap())
        .collect();
    drop(written);
    let summary = pipeline.stop().unwrap();

    for (i, v) in values.iter().enumerate() {
        assert_eq!(v["id"], i as i64, "{v}");
        assert_eq!(v["name"], format!("row-{i}"), "{v}");
        assert_eq!(v["origin"], "kinetica", "the transform ran: {v}");
    }
    assert_eq!(summary.metrics.records_in, ROWS as u64);
    assert_eq!(summary.metrics.records_written, ROWS as u64);
    assert_eq!(
        seen().committed.lock().unwrap().get("rows", 0),
        Some(ROWS - 1),
        "every acknowledged row is committed back to the source"
    );
    assert!(seen().polls.load(Ordering::Relaxed) >= 3, "batches of 10");
}
