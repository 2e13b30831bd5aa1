//! The Kinetica flattener: turns nested record values into flat structs (or flat maps,
//! for schemaless values) whose fields are all primitive, one Kinetica column each —
//! what the Java Kinetica connector's `kinetica.flatten_source.*` did (its
//! release/v7.0 branch), without its bugs. The rules, the modes and the bugs fixed are
//! in README.md beside this file.
//!
//! Values only: the Kinetica sink writes no key columns (a record key only names the
//! table of a schemaless record, and must stay as it is for that).

mod render;
mod schemaless;
mod structured;

use sluice_sdk::prelude::*;

use structured::Plan;

/// What becomes of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One string column: the elements as text, joined with the separator.
    ConvertToString,
    /// The first element, flattened as if it were the field itself; null when the
    /// array is empty or null.
    TakeFirstValue,
    /// Arrays of numbers, booleans or strings stay arrays (the sink makes Kinetica
    /// `array(T)` columns of them); other arrays are converted to a string.
    KeepArrays,
}

const MODES: &[(&str, Mode)] = &[
    ("CONVERT_TO_STRING", Mode::ConvertToString),
    ("TAKE_FIRST_VALUE", Mode::TakeFirstValue),
    ("KEEP_ARRAYS", Mode::KeepArrays),
];

/// The flattener's configuration.
#[derive(Debug, Clone)]
pub struct Options {
    pub delimiter: String,
    pub mode: Mode,
    pub separator: String,
}

struct KineticaFlattener {
    options: Options,
}

/// Distinct schemas one batch keeps plans for; beyond this a new schema replaces the
/// oldest (a topic's records share one schema or a few).
const MAX_PLANS: usize = 16;

impl Flattener for KineticaFlattener {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "field_name_delimiter",
                Some("_"),
                "What joins the names of nested fields into a column name: `address` → `city` becomes `address_city`.",
            ),
            Property::string(
                "array_flattening_mode",
                Some("CONVERT_TO_STRING"),
                "What becomes of arrays: CONVERT_TO_STRING (one string column, the elements joined with array_element_separator), TAKE_FIRST_VALUE (the first element, flattened like the field itself; null for an empty array) or KEEP_ARRAYS (arrays of numbers, booleans or strings stay arrays, for Kinetica array columns; other arrays become strings).",
            ),
            Property::string(
                "array_element_separator",
                Some(","),
                "What joins the elements of an array converted to a string.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let delimiter = config.get("field_name_delimiter").unwrap_or("_").to_owned();
        let separator = config
            .get("array_element_separator")
            .unwrap_or(",")
            .to_owned();
        let mode_text = config
            .get("array_flattening_mode")
            .map(str::trim)
            .unwrap_or("");
        let mode = if mode_text.is_empty() {
            // As the Java connector: an empty mode is the default one.
            Mode::ConvertToString
        } else {
            MODES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(mode_text))
                .map(|(_, m)| *m)
                .ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "`array_flattening_mode` must be one of {}, not `{mode_text}`",
                        MODES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ))
                })?
        };
        Ok(KineticaFlattener {
            options: Options {
                delimiter,
                mode,
                separator,
            },
        })
    }

    fn flatten(&self, batch: &Batch) -> Result<(), Error> {
        // Plans by input schema: each distinct schema of the batch is planned once.
        let mut plans: Vec<(Schema, Result<Plan, String>)> = Vec::new();
        for i in 0..batch.len() {
            let data = batch.get(i, Part::Value);
            let flat = match &data.schema {
                Some(schema) => {
                    if !structured::is_flattenable(schema, &data.value) {
                        continue;
                    }
                    let at = match plans.iter().position(|(s, _)| structured::same(s, schema)) {
                        Some(at) => at,
                        None => {
                            if plans.len() >= MAX_PLANS {
                                plans.drain(..1);
                            }
                            let plan = Plan::new(&schema.nodes, &self.options);
                            plans.push((schema.clone(), plan));
                            plans.len() - 1
                        }
                    };
                    match &plans[at].1 {
                        Ok(plan) => Ok(plan.apply(&schema.nodes, &data.value, &self.options)),
                        Err(e) => Err(e.clone()),
                    }
                }
                None => match schemaless::flatten(&data.value, &self.options) {
                    Some(flat) => flat,
                    None => continue,
                },
            };
            match flat {
                Ok(flat) => {
                    if let Err(e) = batch.set(i, Part::Value, &flat) {
                        batch.reject(i, &format!("the flattened value was refused: {e}"));
                    }
                }
                Err(e) => batch.reject(i, &e),
            }
        }
        Ok(())
    }
}

/// `prefix` + delimiter + `name`, or `name` at the top level.
fn join(prefix: Option<&str>, delimiter: &str, name: &str) -> String {
    match prefix {
        Some(p) => format!("{p}{delimiter}{name}"),
        None => name.to_owned(),
    }
}

sluice_sdk::export_flattener!(KineticaFlattener);
