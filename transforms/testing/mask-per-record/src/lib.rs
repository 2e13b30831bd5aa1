//! Benchmark guest: masks `fields` with one `get-field` and one `set-field` call per
//! record, to measure per-record accessors against the column calls mask-field uses.
use sluice_sdk::prelude::*;

struct MaskPerRecord {
    field: String,
}

impl Transform for MaskPerRecord {
    fn describe() -> Vec<Property> {
        vec![Property::string("fields", None, "The field to mask.")]
    }
    fn configure(config: Config) -> Result<Self, Error> {
        Ok(MaskPerRecord {
            field: config.required("fields")?,
        })
    }
    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for i in 0..batch.len() {
            if let Scalar::String(_) = batch.get_field(i, Part::Value, &self.field)? {
                batch.set_field(i, Part::Value, &self.field, &Scalar::String(String::new()))?;
            }
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(MaskPerRecord);
