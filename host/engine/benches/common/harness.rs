//! The harness shared by `wasm_boundary.rs` and the Python guests' benchmark
//! (transforms/examples/python-mask/bench/harness): the batch, the clock, and how each
//! contract design is driven. The including crate runs `bindgen!` on
//! wit/bench/naive.wit at its root (the path differs per crate).

use std::path::Path;

// Relative to this file's directory, so the Python harness can include this file too.
#[path = "clock.rs"]
pub mod clock;

use crate::NaiveTransform;
use crate::exports::sluice::bench_naive::naive::{Header as NHeader, Node, Record as NRecord};
use sluice_engine::{HostState, SandboxLimits, TransformPlugin, WasmEngine, WorldKind};
use sluice_record::{Data, Record, SchemaBuilder, SchemaRef, Struct, Value};
use wasmtime::Store;

pub const BATCH: usize = 1000;

pub fn schema() -> SchemaRef {
    let s = || SchemaBuilder::string().build_ref();
    SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .field("name", s())
        .field("email", s())
        .field("ssn", s())
        .field("amount", SchemaBuilder::float64().build_ref())
        .field("ts", SchemaBuilder::int64().build_ref())
        .name("bench.Customer")
        .build_ref()
}

pub fn batch(schema: &SchemaRef) -> Vec<Record> {
    (0..BATCH)
        .map(|i| {
            let v = Struct::new(schema.clone())
                .with("id", i as i64)
                .with("name", format!("customer-{i:07}"))
                .with("email", format!("c{i:07}@example.com"))
                .with(
                    "ssn",
                    format!("{:03}-{:02}-{:04}", i % 1000, i % 100, i % 10000),
                )
                .with("amount", i as f64 * 1.25)
                .with("ts", 1_700_000_000_000i64 + i as i64);
            Record::new("customers", 0, i as i64)
                .with_key(Data::schemaless(Value::String(format!("k{i}").into())))
                .with_value(Data::with_schema(schema.clone(), Value::Struct(v)))
                .with_timestamp(1_700_000_000_000)
        })
        .collect()
}

/// Median CPU nanoseconds per record of `run` on batches like `input`, over 15 rounds
/// of 40 batches (see [`clock::measure_items`]).
pub fn measure<O>(input: &[Record], run: impl FnMut(Vec<Record>) -> O) -> f64 {
    clock::measure_items(input.len(), 40, || input.to_vec(), run)
}

// ---- the naive design: records copied across ----

pub fn to_naive(r: &Record) -> NRecord {
    let mut nodes = Vec::new();
    let mut names = Vec::new();
    if let Value::Struct(s) = &r.value.value {
        let children: Vec<u32> = (1..=s.values().len() as u32).collect();
        nodes.push(Node::Struct(children));
        for (name, v) in s.iter() {
            names.push(name.to_string());
            nodes.push(match v {
                Value::Int64(x) => Node::Int64(*x),
                Value::Float64(x) => Node::Float64(*x),
                Value::String(x) => Node::String(x.as_str().into()),
                _ => Node::Null,
            });
        }
    }
    NRecord {
        topic: r.topic.to_string(),
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        headers: r
            .headers
            .iter()
            .map(|h| NHeader {
                key: h.key.clone(),
                value: h.value.clone(),
            })
            .collect(),
        key: r.key.value.as_str().map(|k| k.as_bytes().to_vec()),
        value: nodes,
        field_names: names,
    }
}

pub fn from_naive(n: NRecord, schema: &SchemaRef) -> Record {
    let values = n.value[1..]
        .iter()
        .map(|node| match node {
            Node::Int64(x) => Value::Int64(*x),
            Node::Float64(x) => Value::Float64(*x),
            Node::String(x) => Value::String(x.as_str().into()),
            _ => Value::Null,
        })
        .collect();
    let value = Struct::from_values(schema.clone(), values).expect("field count");
    Record {
        topic: n.topic.into(),
        partition: n.partition,
        offset: n.offset,
        timestamp: n.timestamp,
        headers: Vec::new(),
        key: Data::schemaless(Value::String(
            String::from_utf8(n.key.unwrap_or_default()).unwrap().into(),
        )),
        value: Data::with_schema(schema.clone(), Value::Struct(value)),
    }
}

pub fn naive_cost(engine: &WasmEngine, path: &Path, input: &[Record], schema: &SchemaRef) -> f64 {
    let component = wasmtime::component::Component::from_file(engine.engine(), path).unwrap();
    let mut store = Store::new(
        engine.engine(),
        HostState::new("naive", &SandboxLimits::default()),
    );
    store.set_epoch_deadline(u64::MAX / 2);
    let bindings = NaiveTransform::instantiate(&mut store, &component, engine.linker()).unwrap();
    measure(input, |batch| {
        let records: Vec<NRecord> = batch.iter().map(to_naive).collect();
        let out = bindings
            .sluice_bench_naive_naive()
            .call_apply(&mut store, &records)
            .unwrap()
            .unwrap();
        let back: Vec<Record> = out.into_iter().map(|r| from_naive(r, schema)).collect();
        assert_eq!(back.len(), BATCH);
        (batch, back)
    })
}

// ---- the shipped design: the batch stays on the host ----

pub fn resource_cost(
    engine: &WasmEngine,
    path: &Path,
    config: &[(&str, &str)],
    input: &[Record],
    check: impl Fn(&Record),
) -> f64 {
    let loaded = engine.load_file(path, WorldKind::Transform).unwrap();
    let config = config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let plugin = TransformPlugin::new(engine, loaded, config, SandboxLimits::default()).unwrap();
    let mut instance = plugin.instantiate().unwrap();
    // Once untimed, to check that the guest does what it is measured for.
    let out = instance.apply(input.to_vec()).unwrap();
    out.records.iter().for_each(&check);
    measure(input, |batch| {
        let out = instance.apply(batch).unwrap();
        assert_eq!(out.records.len(), BATCH);
        out
    })
}
