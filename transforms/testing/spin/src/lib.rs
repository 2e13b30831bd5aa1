//! Test guest: loops forever in `apply`; the CPU budget must stop it.
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
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

sluice_sdk::export_transform!(Guest);
