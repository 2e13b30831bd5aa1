//! Test guest: allocates without bound in `apply`; the memory limit must stop it.
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
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1u8; 1 << 20]);
            std::hint::black_box(&hoard);
        }
    }
}

sluice_sdk::export_transform!(Guest);
