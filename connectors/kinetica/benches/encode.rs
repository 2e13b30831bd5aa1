//! Row-encoding and routing throughput (the insert hot path), without a
//! benchmark framework: `cargo bench -p sluice-kinetica --bench encode`.
//!
//! Encodes batches of 10 000 rows of a typical 8-column type into one reused
//! `EncodedRows`, then builds the `/insert/records` body and computes shard
//! hashes, and prints rows/s and MB/s for each step.

use std::hint::black_box;
use std::time::{Duration, Instant};

use sluice_kinetica::protocol::encode_insert_records;
use sluice_kinetica::{EncodedRows, KineticaType, Options, ShardKey, ValueRef};

const BATCH: usize = 10_000;

fn measure(name: &str, rows_per_iter: usize, bytes_per_iter: usize, mut f: impl FnMut()) {
    // Warm up, then run for about a second.
    for _ in 0..3 {
        f();
    }
    let start = Instant::now();
    let mut iters = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        f();
        iters += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let rows = iters as f64 * rows_per_iter as f64 / secs;
    let mb = iters as f64 * bytes_per_iter as f64 / secs / 1e6;
    println!("{name:<32} {:>8.2} M rows/s {mb:>9.1} MB/s", rows / 1e6);
}

fn main() {
    let ty = KineticaType::from_column_list(&[
        vec!["id", "long", "primary_key", "shard_key"],
        vec!["user", "string", "char32"],
        vec!["event", "string"],
        vec!["amount", "double", "nullable"],
        vec!["qty", "int"],
        vec!["ts", "long", "timestamp"],
        vec!["country", "string", "char2", "nullable"],
        vec!["score", "float", "nullable"],
    ])
    .unwrap();
    let users: Vec<String> = (0..100)
        .map(|i| format!("user-{i:05}@example.com"))
        .collect();
    let mut rows = EncodedRows::with_capacity(BATCH, BATCH * 96);
    let encode = |rows: &mut EncodedRows| {
        rows.clear();
        for i in 0..BATCH {
            let values = [
                ValueRef::Long(i as i64),
                ValueRef::Str(&users[i % users.len()]),
                ValueRef::Str("page_view"),
                if i % 5 == 0 {
                    ValueRef::Null
                } else {
                    ValueRef::Double(i as f64 * 0.01)
                },
                ValueRef::Int((i % 1000) as i32),
                ValueRef::Long(1_700_000_000_000 + i as i64),
                ValueRef::Str("US"),
                ValueRef::Float(0.5),
            ];
            rows.push_refs(&ty, values).unwrap();
        }
    };
    encode(&mut rows);
    let bytes = rows.byte_len();
    println!(
        "{BATCH} rows/batch, {:.1} bytes/row",
        bytes as f64 / BATCH as f64
    );

    measure("encode rows (push_refs)", BATCH, bytes, || {
        encode(&mut rows);
        black_box(&rows);
    });

    let mut writer_rows = EncodedRows::with_capacity(BATCH, BATCH * 96);
    measure("encode rows (RowWriter)", BATCH, bytes, || {
        writer_rows.clear();
        for i in 0..BATCH {
            let mut w = writer_rows.writer(&ty);
            w.long(i as i64).unwrap();
            w.str(&users[i % users.len()]).unwrap();
            w.str("page_view").unwrap();
            if i % 5 == 0 {
                w.null().unwrap()
            } else {
                w.double(i as f64 * 0.01).unwrap()
            };
            w.int((i % 1000) as i32).unwrap();
            w.long(1_700_000_000_000 + i as i64).unwrap();
            w.str("US").unwrap();
            w.float(0.5).unwrap();
            w.finish().unwrap();
        }
        black_box(&writer_rows);
    });

    let options = Options::new();
    let mut body = Vec::with_capacity(bytes + BATCH * 3 + 64);
    measure("build /insert/records body", BATCH, bytes, || {
        body.clear();
        encode_insert_records(&mut body, "ki_home.events", &rows, &options);
        black_box(&body);
    });

    let key = ShardKey::new(&ty).unwrap();
    let mut scratch = Vec::with_capacity(64);
    measure("shard hash of encoded rows", BATCH, bytes, || {
        let mut acc = 0i64;
        for row in rows.iter() {
            acc ^= key.hash_encoded(row, &mut scratch).unwrap();
        }
        black_box(acc);
    });
}
