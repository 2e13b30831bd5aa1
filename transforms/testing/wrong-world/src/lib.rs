//! Test guest: a predicate component, which the host must refuse to load as a transform.
wit_bindgen::generate!({ path: "../../../wit", world: "sluice:plugin/predicate", generate_all });

use exports::sluice::plugin::{configurable, test_records};
use sluice::plugin::types::{Batch, Error, Property};

struct AlwaysTrue;

impl configurable::Guest for AlwaysTrue {
    fn describe() -> Vec<Property> {
        Vec::new()
    }
    fn configure(_properties: Vec<(String, String)>) -> Result<(), Error> {
        Ok(())
    }
}

impl test_records::Guest for AlwaysTrue {
    fn test(records: &Batch) -> Result<Vec<bool>, Error> {
        Ok(vec![true; records.len() as usize])
    }
}

export!(AlwaysTrue);
