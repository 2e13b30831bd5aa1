//! The Avro codec on the ~100-byte user record of host/convert's JSON bench (the same
//! fields), next to apache-avro's generic reader, the alternative design
//! (host/avro/README.md, "Why its own codec").

// apache-avro's datum functions are the simplest way to drive its generic reader.
#![allow(deprecated)]

use std::hint::black_box;

use apache_avro::types::Value as Avro;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use sluice_avro::codec::{decode, encode};
use sluice_avro::schema::to_connect;
use sluice_avro::types::AvroType;

fn schema() -> serde_json::Value {
    json!({"type": "record", "name": "User", "namespace": "com.example", "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "email", "type": ["null", "string"], "default": null},
        {"name": "age", "type": "int"},
        {"name": "score", "type": "double"},
        {"name": "ok", "type": "boolean"}
    ]})
}

fn codec(c: &mut Criterion) {
    let json = schema();
    let avro_schema = apache_avro::Schema::parse(&json).unwrap();
    let datum = apache_avro::to_avro_datum(
        &avro_schema,
        Avro::Record(vec![
            ("id".into(), Avro::Long(12345)),
            ("name".into(), Avro::String("Alice Smith".into())),
            (
                "email".into(),
                Avro::Union(1, Box::new(Avro::String("alice@example.com".into()))),
            ),
            ("age".into(), Avro::Int(34)),
            ("score".into(), Avro::Double(98.5)),
            ("ok".into(), Avro::Boolean(true)),
        ]),
    )
    .unwrap();
    let ty = AvroType::from_json(&json).unwrap();
    let (_, plan) = to_connect(&ty).unwrap();

    let mut g = c.benchmark_group("avro");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| {
        b.iter(|| decode(&plan, black_box(&datum)).unwrap());
    });
    g.bench_function("decode_apache_avro_generic", |b| {
        b.iter(|| {
            apache_avro::from_avro_datum(&avro_schema, &mut black_box(&datum[..]), None).unwrap()
        });
    });
    let value = decode(&plan, &datum).unwrap();
    g.bench_function("encode", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(64);
            encode(&ty, black_box(&value), &mut out).unwrap();
            out
        });
    });
    g.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
