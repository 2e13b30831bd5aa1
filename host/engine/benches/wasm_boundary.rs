//! What it costs to cross the Wasm boundary, per record: the measurement behind the WIT
//! design (see wit/README.md). Run with `cargo bench -p sluice-engine --bench wasm_boundary`.
//!
//! Three designs, each with a pass-through transform and one that masks one string
//! field of a ~100-byte struct, on batches of 1000 records (Rust guests, release):
//! * `copy-records` — the naive contract: every record (topic, headers, key, value
//!   tree) is copied into the guest and back (wit/bench/naive.wit);
//! * `resource/per-record` — the batch stays on the host behind a resource, and the
//!   guest reads and writes the field with one call per record;
//! * `resource/column` — the same resource, with one call reading the field of every
//!   record and one writing it back (what mask-field uses; the shipped contract).

// Bindings generated from a benchmark-only WIT, which carries no docs.
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../../wit/bench/naive.wit",
    world: "naive-transform",
});

mod common;

use common::harness::{BATCH, batch, naive_cost, resource_cost, schema};
use sluice_engine::WasmEngine;

const TARGET_PASS_NS: f64 = 100.0;
const TARGET_MASK_NS: f64 = 300.0;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs us without it: then
    // just check that every scenario runs, without timing.
    let timing = std::env::args().any(|a| a == "--bench");
    let engine = WasmEngine::new(None).unwrap();
    let schema = schema();
    let input = batch(&schema);

    if !timing {
        naive_cost(
            &engine,
            &sluice_guests::path("naive-mask"),
            &input[..],
            &schema,
        );
        return;
    }
    let rows = [
        (
            "copy-records",
            "pass-through",
            naive_cost(
                &engine,
                &sluice_guests::path("naive-passthrough"),
                &input,
                &schema,
            ),
        ),
        (
            "copy-records",
            "mask one field",
            naive_cost(&engine, &sluice_guests::path("naive-mask"), &input, &schema),
        ),
        (
            "resource/per-record",
            "pass-through",
            resource_cost(
                &engine,
                &sluice_guests::path("passthrough"),
                &[],
                &input,
                |_| {},
            ),
        ),
        (
            "resource/per-record",
            "mask one field",
            resource_cost(
                &engine,
                &sluice_guests::path("mask-per-record"),
                &[("fields", "ssn")],
                &input,
                |_| {},
            ),
        ),
        (
            "resource/column",
            "pass-through",
            resource_cost(
                &engine,
                &sluice_guests::path("passthrough"),
                &[],
                &input,
                |_| {},
            ),
        ),
        (
            "resource/column",
            "mask one field",
            resource_cost(
                &engine,
                &sluice_guests::path("mask-field"),
                &[("fields", "ssn")],
                &input,
                |_| {},
            ),
        ),
    ];
    println!("\nWasm boundary cost, Rust guests, batches of {BATCH} records of ~100 bytes");
    println!("(thread CPU time, median of 15 rounds of 40 batches; compare rows of one run)\n");
    println!(
        "{:<22} {:<16} {:>12}  target",
        "design", "transform", "ns/record"
    );
    for (design, transform, ns) in rows {
        let target = if transform == "pass-through" {
            TARGET_PASS_NS
        } else {
            TARGET_MASK_NS
        };
        let verdict = if ns <= target { "met" } else { "missed" };
        println!("{design:<22} {transform:<16} {ns:>12.1}  ≤{target:.0} {verdict}");
    }
}
