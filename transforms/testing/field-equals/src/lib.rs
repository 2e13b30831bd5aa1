//! Test predicate: true for records whose value field `field` (a dotted path),
//! rendered as a string, equals `value`. Records without the field, or where it is
//! null, are false. For the runtime's end-to-end tests of predicates.
use sluice_sdk::prelude::*;

struct FieldEquals {
    field: String,
    value: String,
}

impl Predicate for FieldEquals {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "field",
                None,
                "The value field to compare (a dotted path reaches nested fields).",
            ),
            Property::string(
                "value",
                None,
                "Records whose field, rendered as a string, equals this are true.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        Ok(FieldEquals {
            field: config.required("field")?,
            value: config.required("value")?,
        })
    }

    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error> {
        // One call reads the field of every record.
        let column = batch.get_column(Part::Value, &self.field)?;
        Ok(column
            .iter()
            .map(|v| v.render().is_some_and(|s| s == self.value))
            .collect())
    }
}

sluice_sdk::export_predicate!(FieldEquals);
