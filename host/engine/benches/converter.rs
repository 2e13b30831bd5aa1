//! What a converter costs per record, for the two contracts Sluice considered (see
//! wit/README.md, "Converters"). Run with
//! `cargo bench -p sluice-engine --bench converter`.
//!
//! A Rust CSV converter decodes 10 000 lines of ~100 bytes that share one schema (id,
//! name, email, ssn, amount, ts), in batches of 1000, and encodes them back:
//! * `schema per record` — the 0.1.0 contract (wit/bench/converter-v1.wit): every
//!   decoded record carries its whole schema tree, and so does every record to
//!   encode; the host builds (or sends) one schema per record. Guest:
//!   csv-converter-v1, which does csv-converter's work on that contract;
//! * `schema per batch` — the shipped contract (sluice:plugin@0.2.0): the schemas of a
//!   batch are listed once and each record names its schema by index. Guest:
//!   csv-converter, through `ConverterInstance` (what the pipeline calls).
//!
//! The host side of the old contract is written here (flat structs only, which is all
//! this data needs), so it is if anything cheaper than a general one.

// Bindings generated from a benchmark-only WIT, which carries no docs.
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../../wit/bench/converter-v1.wit",
    world: "converter-v1",
});

#[path = "common/clock.rs"]
mod clock;

use std::sync::Arc;

use exports::sluice::bench_converter::convert::{
    Data as V1Data, Node, Part as V1Part, Schema as V1Schema, SchemaNode, SchemaType as V1Type,
};
use sluice_engine::{ConverterPlugin, HostState, Part, SandboxLimits, WasmEngine, WorldKind};
use sluice_record::{Data, Field, Schema, SchemaKind, SchemaRef, SchemaType, Struct, Value};
use wasmtime::Store;

const RECORDS: usize = 10_000;
const BATCH: usize = 1000;
const FIELDS: &str = "id:int64,name:string,email:string,ssn:string,amount:float64,ts:int64";

fn lines() -> Vec<Vec<u8>> {
    (0..RECORDS)
        .map(|i| {
            format!(
                "{i},customer-{i:07},c{i:07}@example.com,{:03}-{:02}-{:04},{},{}",
                i % 1000,
                i % 100,
                i % 10000,
                i as f64 * 1.25,
                1_700_000_000_000i64 + i as i64
            )
            .into_bytes()
        })
        .collect()
}

// ---- the host side of the old contract: a schema per record ----

fn v1_type(t: V1Type) -> SchemaType {
    match t {
        V1Type::Int64 => SchemaType::Int64,
        V1Type::Float64 => SchemaType::Float64,
        V1Type::String => SchemaType::String,
        other => panic!("not in the benchmark's data: {other:?}"),
    }
}

fn schema_from_v1(s: &V1Schema) -> SchemaRef {
    let root = &s.nodes[0];
    let fields = root
        .field_names
        .iter()
        .zip(&root.children)
        .map(|(name, c)| {
            let n = &s.nodes[*c as usize];
            let mut schema = Schema::new(SchemaKind::primitive(v1_type(n.type_)).unwrap());
            schema.optional = n.optional;
            Field {
                name: name.clone(),
                schema: Arc::new(schema),
            }
        })
        .collect();
    let mut schema = Schema::new(SchemaKind::Struct(fields));
    schema.name = root.name.clone();
    Arc::new(schema)
}

fn data_from_v1(d: V1Data) -> Result<Data, String> {
    let Some(schema) = d.schema.as_ref().map(schema_from_v1) else {
        return Ok(Data::NULL);
    };
    let values = d.value[1..]
        .iter()
        .map(|n| match n {
            Node::Int64(v) => Value::Int64(*v),
            Node::Float64(v) => Value::Float64(*v),
            Node::String(v) => Value::String(v.as_str().into()),
            _ => Value::Null,
        })
        .collect();
    let value = Value::Struct(Struct::from_values(schema.clone(), values).ok_or("fields")?);
    schema.validate(&value).map_err(|e| e.to_string())?;
    Ok(Data::with_schema(schema, value))
}

fn v1_node(ty: SchemaType, optional: bool) -> SchemaNode {
    SchemaNode {
        type_: match ty {
            SchemaType::Int64 => V1Type::Int64,
            SchemaType::Float64 => V1Type::Float64,
            SchemaType::String => V1Type::String,
            SchemaType::Struct => V1Type::Struct,
            other => panic!("not in the benchmark's data: {other}"),
        },
        optional,
        name: None,
        version: None,
        doc: None,
        parameters: Vec::new(),
        default_value: None,
        children: Vec::new(),
        field_names: Vec::new(),
    }
}

fn data_to_v1(d: &Data) -> V1Data {
    let schema = d.schema.as_ref().map(|s| {
        let mut root = v1_node(SchemaType::Struct, s.optional);
        root.name = s.name.clone();
        root.children = (1..=s.fields().len() as u32).collect();
        root.field_names = s.fields().iter().map(|f| f.name.clone()).collect();
        let mut nodes = vec![root];
        nodes.extend(
            s.fields()
                .iter()
                .map(|f| v1_node(f.schema.schema_type(), f.schema.optional)),
        );
        V1Schema { nodes }
    });
    let value = match &d.value {
        Value::Struct(s) => {
            let mut nodes = vec![Node::Struct((1..=s.values().len() as u32).collect())];
            nodes.extend(s.values().iter().map(|v| match v {
                Value::Int64(x) => Node::Int64(*x),
                Value::Float64(x) => Node::Float64(*x),
                Value::String(x) => Node::String(x.as_str().into()),
                _ => Node::Null,
            }));
            nodes
        }
        _ => Vec::new(),
    };
    V1Data { schema, value }
}

/// (to-data, from-data) ns per record on the old contract.
/// (to-data, from-data) ns per record on the old contract; `None` without `timing`,
/// after checking it once.
fn schema_per_record(
    engine: &WasmEngine,
    lines: &[Vec<u8>],
    decoded: &[Data],
    timing: bool,
) -> Option<(f64, f64)> {
    let path = sluice_guests::path("csv-converter-v1");
    let component = wasmtime::component::Component::from_file(engine.engine(), path).unwrap();
    let mut store = Store::new(
        engine.engine(),
        HostState::new("csv-v1", &SandboxLimits::default()),
    );
    store.set_epoch_deadline(u64::MAX / 2);
    let bindings = ConverterV1::instantiate(&mut store, &component, engine.linker()).unwrap();
    let convert = bindings.sluice_bench_converter_convert();
    let mut to_data = |batch: &[Vec<u8>]| -> Vec<Data> {
        let inputs: Vec<Option<Vec<u8>>> = batch.iter().map(|l| Some(l.clone())).collect();
        let out = convert
            .call_to_data(&mut store, "customers", V1Part::Value, &inputs)
            .unwrap()
            .unwrap();
        out.into_iter()
            .map(|r| data_from_v1(r.unwrap()).unwrap())
            .collect()
    };
    // Once untimed, to check that it decodes what the shipped contract decodes.
    assert_eq!(to_data(&lines[..BATCH]), decoded[..BATCH]);
    if !timing {
        return None;
    }
    let to = clock::measure_items(
        RECORDS,
        4,
        || (),
        |()| lines.chunks(BATCH).map(&mut to_data).collect::<Vec<_>>(),
    );
    let from = clock::measure_items(
        RECORDS,
        4,
        || (),
        |()| {
            decoded
                .chunks(BATCH)
                .map(|batch| {
                    let inputs: Vec<V1Data> = batch.iter().map(data_to_v1).collect();
                    convert
                        .call_from_data(&mut store, "customers", V1Part::Value, &inputs)
                        .unwrap()
                        .unwrap()
                })
                .collect::<Vec<_>>()
        },
    );
    Some((to, from))
}

/// (to-data, from-data) ns per record on the shipped contract, and what it decoded.
fn schema_per_batch(engine: &WasmEngine, lines: &[Vec<u8>]) -> (f64, f64, Vec<Data>) {
    let loaded = engine
        .load_file(&sluice_guests::path("csv-converter"), WorldKind::Converter)
        .unwrap();
    let plugin = ConverterPlugin::new(
        engine,
        loaded,
        vec![("fields".into(), FIELDS.into())],
        SandboxLimits::default(),
    )
    .unwrap();
    let mut c = plugin.instantiate().unwrap();
    let mut to_data = |batch: &[Vec<u8>]| -> Vec<Data> {
        let inputs: Vec<Option<&[u8]>> = batch.iter().map(|l| Some(&l[..])).collect();
        c.to_data("customers", Part::Value, &inputs)
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect()
    };
    let decoded: Vec<Data> = lines.chunks(BATCH).flat_map(&mut to_data).collect();
    let to = clock::measure_items(
        RECORDS,
        4,
        || (),
        |()| lines.chunks(BATCH).map(&mut to_data).collect::<Vec<_>>(),
    );
    let from = clock::measure_items(
        RECORDS,
        4,
        || (),
        |()| {
            decoded
                .chunks(BATCH)
                .map(|batch| c.from_data("customers", Part::Value, batch).unwrap())
                .collect::<Vec<_>>()
        },
    );
    // The round trip gives the lines back.
    let back = c
        .from_data("customers", Part::Value, &decoded[..3])
        .unwrap();
    assert_eq!(back[2].as_ref().unwrap().as_deref(), Some(&lines[2][..]));
    (to, from, decoded)
}

fn main() {
    // `cargo test --benches` runs us without `--bench`: then run each contract once on a
    // few records, untimed, to check that both still work.
    let timing = std::env::args().any(|a| a == "--bench");
    let engine = WasmEngine::new(None).unwrap();
    let lines = lines();
    let (to_batch, from_batch, decoded) = schema_per_batch(&engine, &lines);
    let Some((to_record, from_record)) = schema_per_record(&engine, &lines, &decoded, timing)
    else {
        return;
    };
    println!(
        "\nConverter cost, Rust CSV guest, {RECORDS} records of ~100 bytes sharing one schema, \
         batches of {BATCH}"
    );
    println!("(thread CPU time, median of 15 rounds; compare rows of one run)\n");
    println!(
        "{:<20} {:>16} {:>18}",
        "contract", "to-data ns/rec", "from-data ns/rec"
    );
    println!(
        "{:<20} {to_record:>16.1} {from_record:>18.1}",
        "schema per record"
    );
    println!(
        "{:<20} {to_batch:>16.1} {from_batch:>18.1}",
        "schema per batch"
    );
    println!(
        "\nschema per batch is {:.1}× cheaper to decode and {:.1}× cheaper to encode",
        to_record / to_batch,
        from_record / from_batch
    );
}
