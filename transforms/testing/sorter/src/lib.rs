//! Test guest for the pipeline runtime's error policy: looks at the string field
//! `field` of each record's value and, when it equals `reject`, rejects the record
//! (`batch.reject`); `drop`, discards it; `bad`, fails the whole call with `bad-record`
//! naming the first such record. Other records pass unchanged.
use sluice_sdk::RecordError;
use sluice_sdk::prelude::*;

struct Sorter {
    field: String,
    reject: Option<String>,
    drop: Option<String>,
    bad: Option<String>,
}

impl Transform for Sorter {
    fn describe() -> Vec<Property> {
        vec![
            Property::string("field", None, "The string field of the value to look at."),
            Property::string(
                "reject",
                None,
                "Records whose field has this value are rejected.",
            ),
            Property::string(
                "drop",
                None,
                "Records whose field has this value are discarded.",
            ),
            Property::string(
                "bad",
                None,
                "The first record whose field has this value fails the call.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let get = |k: &str| config.get(k).map(str::to_string);
        Ok(Sorter {
            field: config.required("field")?,
            reject: get("reject"),
            drop: get("drop"),
            bad: get("bad"),
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let values = batch.get_column(Part::Value, &self.field)?;
        for (i, value) in (0u32..).zip(values) {
            let Scalar::String(s) = value else { continue };
            let is = |v: &Option<String>| v.as_deref() == Some(s.as_str());
            if is(&self.bad) {
                return Err(Error::BadRecord(RecordError {
                    index: i,
                    message: format!("`{}` is marked bad", self.field),
                }));
            }
            if is(&self.reject) {
                batch.reject(i, &format!("`{}` is marked for rejection", self.field));
            } else if is(&self.drop) {
                batch.discard(i);
            }
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(Sorter);
