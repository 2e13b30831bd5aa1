//! The per-record cost of the Python guests of this example, next to the Rust guests
//! measured by `host/engine/benches/wasm_boundary.rs`, with the same harness (shared:
//! host/engine/benches/common/harness.rs): batches of
//! 1000 records whose value is a ~100-byte struct, thread CPU time, median of 15 rounds
//! of 40 batches. Build the Python guests first (`../../build.sh --bench`), then run
//! `cargo run --release` here (see ../../README.md).

use std::path::PathBuf;

use sluice_engine::WasmEngine;
use sluice_record::{Record, Value};

wasmtime::component::bindgen!({
    path: "../../../../../wit/bench/naive.wit",
    world: "naive-transform",
});

#[path = "../../../../../../host/engine/benches/common/harness.rs"]
mod harness;

use harness::{BATCH, batch, naive_cost, resource_cost, schema};

fn ssn(r: &Record) -> &Value {
    match &r.value.value {
        Value::Struct(s) => s.get("ssn").expect("ssn field"),
        other => panic!("value is not a struct: {other:?}"),
    }
}

fn masked(r: &Record) {
    assert_eq!(ssn(r), &Value::String("".into()), "ssn not masked");
}

fn kept(r: &Record) {
    assert_ne!(ssn(r), &Value::String("".into()), "ssn changed");
}

fn main() {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let py = here.join("../../target");
    let py = |name: &str| {
        let p = py.join(format!("{name}.wasm"));
        assert!(
            p.exists(),
            "{} is missing: run transforms/examples/python-mask/build.sh --bench \
             (needs `pip install componentize-py`)",
            p.display()
        );
        p
    };
    // Compiled Python components (~18 MB) are cached next to them: 4 s each otherwise.
    let engine = WasmEngine::new(Some(here.join("../../target/cache"))).unwrap();
    let schema = schema();
    let input = batch(&schema);
    let rust = sluice_guests::path;
    let fields = [("fields", "ssn")];

    let rows = [
        (
            "Rust",
            "copy-records",
            "pass-through",
            naive_cost(&engine, &rust("naive-passthrough"), &input, &schema),
        ),
        (
            "Rust",
            "copy-records",
            "mask one field",
            naive_cost(&engine, &rust("naive-mask"), &input, &schema),
        ),
        (
            "Rust",
            "resource/column",
            "pass-through",
            resource_cost(&engine, &rust("passthrough"), &[], &input, kept),
        ),
        (
            "Rust",
            "resource/column",
            "mask one field",
            resource_cost(&engine, &rust("mask-field"), &fields, &input, masked),
        ),
        (
            "Python",
            "copy-records",
            "pass-through",
            naive_cost(&engine, &py("naive_passthrough"), &input, &schema),
        ),
        (
            "Python",
            "copy-records",
            "mask one field",
            naive_cost(&engine, &py("naive_mask"), &input, &schema),
        ),
        (
            "Python",
            "resource/column",
            "pass-through",
            resource_cost(&engine, &py("passthrough"), &[], &input, kept),
        ),
        (
            "Python",
            "resource/per-record",
            "mask one field",
            resource_cost(&engine, &py("mask_per_record"), &fields, &input, masked),
        ),
        (
            "Python",
            "resource/column",
            "mask one field",
            resource_cost(&engine, &py("mask"), &fields, &input, masked),
        ),
        // Where the column mask's time goes (bench/mask_parts.py).
        (
            "Python",
            "resource/column",
            "column-types",
            resource_cost(
                &engine,
                &py("mask_parts"),
                &[("fields", "ssn"), ("step", "types")],
                &input,
                kept,
            ),
        ),
        (
            "Python",
            "resource/column",
            "set-column",
            resource_cost(
                &engine,
                &py("mask_parts"),
                &[("fields", "ssn"), ("step", "set")],
                &input,
                masked,
            ),
        ),
        (
            "Python",
            "resource/column",
            "get-column",
            resource_cost(
                &engine,
                &py("mask_parts"),
                &[("fields", "ssn"), ("step", "get")],
                &input,
                kept,
            ),
        ),
    ];
    println!("\nWasm boundary cost, batches of {BATCH} records of ~100 bytes");
    println!("(thread CPU time, median of 15 rounds of 40 batches; compare rows of one run)\n");
    println!(
        "{:<8} {:<22} {:<16} {:>12}",
        "guest", "design", "transform", "ns/record"
    );
    for (guest, design, transform, ns) in &rows {
        println!("{guest:<8} {design:<22} {transform:<16} {ns:>12.1}");
    }
    let ns = |g: &str, d: &str, t: &str| {
        rows.iter()
            .find(|r| r.0 == g && r.1 == d && r.2 == t)
            .map(|r| r.3)
            .unwrap()
    };
    let pass = ns("Python", "resource/column", "pass-through");
    let mask = ns("Python", "resource/column", "mask one field");
    println!(
        "\nPython mask / Python pass-through: {:.2}; Python copy-records mask / Python column mask: {:.1}",
        mask / pass,
        ns("Python", "copy-records", "mask one field") / mask
    );
}
