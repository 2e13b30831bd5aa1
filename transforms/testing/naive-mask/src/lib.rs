//! Benchmark guest for the rejected "copy every record" design (wit/bench/naive.wit).
wit_bindgen::generate!({ path: "../../../wit/bench/naive.wit", world: "naive-transform" });

use exports::sluice::bench_naive::naive::{Guest, Node, Record};

struct Naive;

impl Guest for Naive {
    fn apply(records: Vec<Record>) -> Result<Vec<Record>, String> {
        let mut records = records;
        for r in &mut records {
            // The root is a struct whose children are the field values, in field order.
            let Some(i) = r.field_names.iter().position(|n| n == "ssn") else {
                continue;
            };
            let Some(Node::Struct(children)) = r.value.first() else {
                continue;
            };
            let child = children[i] as usize;
            if let Node::String(_) = r.value[child] {
                r.value[child] = Node::String(String::new());
            }
        }
        Ok(records)
    }
}

export!(Naive);
