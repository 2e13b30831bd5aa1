//! Test guest: panics in `apply`; the host must turn the trap into an error.
use sluice_sdk::prelude::*;

struct Guest;

impl Transform for Guest {
    fn describe() -> Vec<Property> {
        Vec::new()
    }
    fn configure(_config: Config) -> Result<Self, Error> {
        Ok(Guest)
    }
    fn apply(&self, _batch: &Batch) -> Result<(), Error> {
        panic!("deliberate panic in the trap test guest")
    }
}

sluice_sdk::export_transform!(Guest);
