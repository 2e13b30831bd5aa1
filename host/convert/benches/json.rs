//! The JSON converter on ~100-byte records, the size the pipeline is tuned for.
//!
//! `schemaless` takes the fast path of flat objects (src/json/flat.rs);
//! `schemaless_by_serde_json` is the same record with one escaped character, which sends
//! it to serde_json and the direct visitor, and `schemaless_via_serde_json_value` the
//! alternative design (parse into a `serde_json::Value`, then convert), kept for
//! comparison with both.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sluice_convert::{Converter, JsonConverter, value_from_json};

/// 100 bytes.
const PLAIN: &[u8] =
    br#"{"id":12345,"name":"Alice Smith","email":"alice@example.com","age":34,"score":98.5,"ok":true}"#;

/// [`PLAIN`] with its `@` escaped.
const ESCAPED: &[u8] =
    br#"{"id":12345,"name":"Alice Smith","email":"alice\u0040example.com","age":34,"score":98.5,"ok":true}"#;

fn envelope() -> Vec<u8> {
    let schema = r#"{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":false,"field":"name"},{"type":"string","optional":true,"field":"email"},{"type":"int32","optional":false,"field":"age"},{"type":"double","optional":false,"field":"score"},{"type":"boolean","optional":false,"field":"ok"}],"optional":false,"name":"com.example.User"}"#;
    let payload = std::str::from_utf8(PLAIN).unwrap();
    format!(r#"{{"schema":{schema},"payload":{payload}}}"#).into_bytes()
}

fn converter(schemas: bool) -> JsonConverter {
    let props = BTreeMap::from([("schemas.enable".to_owned(), schemas.to_string())]);
    JsonConverter::from_props(&props).unwrap()
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("json_decode");
    g.throughput(Throughput::Elements(1));
    let plain = converter(false);
    g.bench_function("schemaless", |b| {
        b.iter(|| plain.to_data("t", Some(black_box(PLAIN))).unwrap());
    });
    g.bench_function("schemaless_by_serde_json", |b| {
        b.iter(|| plain.to_data("t", Some(black_box(ESCAPED))).unwrap());
    });
    g.bench_function("schemaless_via_serde_json_value", |b| {
        b.iter(|| {
            let json: serde_json::Value = serde_json::from_slice(black_box(PLAIN)).unwrap();
            value_from_json(&json, None).unwrap()
        });
    });
    let with_schema = converter(true);
    let env = envelope();
    g.bench_function("with_schema_envelope", |b| {
        b.iter(|| with_schema.to_data("t", Some(black_box(&env))).unwrap());
    });
    g.finish();
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("json_encode");
    g.throughput(Throughput::Elements(1));
    let plain = converter(false);
    let data = plain.to_data("t", Some(PLAIN)).unwrap();
    g.bench_function("schemaless", |b| {
        b.iter(|| plain.from_data("t", black_box(&data)).unwrap());
    });
    let with_schema = converter(true);
    let data = with_schema.to_data("t", Some(&envelope())).unwrap();
    g.bench_function("with_schema_envelope", |b| {
        b.iter(|| with_schema.from_data("t", black_box(&data)).unwrap());
    });
    g.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
