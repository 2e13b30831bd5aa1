//! Test guest: rejects every configuration.
use sluice_sdk::prelude::*;

struct Guest;

impl Transform for Guest {
    fn describe() -> Vec<Property> {
        Vec::new()
    }
    fn configure(_config: Config) -> Result<Self, Error> {
        Err(Error::InvalidConfig("`answer` must be 42".into()))
    }
    fn apply(&self, _batch: &Batch) -> Result<(), Error> {
        Ok(())
    }
}

sluice_sdk::export_transform!(Guest);
