//! Test guest: a predicate that tries to change its (read-only) batch — clears the
//! value field `name` of record 0 — then says true for every record. The host must
//! fail the call rather than let a predicate change records.
use sluice_sdk::prelude::*;

struct Meddling;

impl Predicate for Meddling {
    fn describe() -> Vec<Property> {
        Vec::new()
    }
    fn configure(_config: Config) -> Result<Self, Error> {
        Ok(Meddling)
    }
    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error> {
        // The error the host returns is ignored on purpose: the call must fail anyway.
        let _ = batch.set_field(0, Part::Value, "name", &Scalar::String(String::new()));
        Ok(vec![true; batch.len() as usize])
    }
}

sluice_sdk::export_predicate!(Meddling);
