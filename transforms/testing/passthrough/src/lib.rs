//! A transform that changes nothing: measures the fixed cost of a call.
use sluice_sdk::prelude::*;

struct Passthrough;

impl Transform for Passthrough {
    fn describe() -> Vec<Property> {
        Vec::new()
    }
    fn configure(_config: Config) -> Result<Self, Error> {
        Ok(Passthrough)
    }
    fn apply(&self, _batch: &Batch) -> Result<(), Error> {
        Ok(())
    }
}

sluice_sdk::export_transform!(Passthrough);
