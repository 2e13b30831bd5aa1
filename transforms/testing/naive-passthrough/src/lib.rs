//! Benchmark guest for the rejected "copy every record" design (wit/bench/naive.wit).
wit_bindgen::generate!({ path: "../../../wit/bench/naive.wit", world: "naive-transform" });

use exports::sluice::bench_naive::naive::{Guest, Record};

struct Naive;

impl Guest for Naive {
    fn apply(records: Vec<Record>) -> Result<Vec<Record>, String> {
        Ok(records)
    }
}

export!(Naive);
