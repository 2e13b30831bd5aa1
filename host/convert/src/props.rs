//! Reading a converter's properties through their declarations.
//!
//! Each converter declares its properties once (a [`PropertyDef`] with name, type and
//! default); parsing goes through the same declaration so that a default or a name
//! can never disagree between `sluice config describe` and the converter.

use std::collections::BTreeMap;

use sluice_config::{PropertyDef, PropertyType, Validator};

use crate::ConvertError;

/// A converter's property group (prefix already removed) and the component it configures.
pub struct Props<'a> {
    /// The group's properties, prefix removed.
    pub props: &'a BTreeMap<String, String>,
    /// The component's name for messages (`AvroConverter`).
    pub component: &'static str,
}

impl Props<'_> {
    /// The given value, or the declared default.
    fn raw<'a>(&'a self, def: &'a PropertyDef) -> &'a str {
        self.props
            .get(def.name.as_ref())
            .map(String::as_str)
            .or(def.default.as_deref())
            .unwrap_or("")
            .trim()
    }

    /// Like sluice-config's own messages, never quotes the value (it could be a secret
    /// put under the wrong key).
    fn invalid(&self, def: &PropertyDef, expected: &str) -> ConvertError {
        ConvertError::Config(format!(
            "{}: invalid value for {}: expected {expected}",
            self.component, def.name
        ))
    }

    /// A boolean property (Kafka's `true`/`false`, any case).
    pub fn boolean(&self, def: &PropertyDef) -> Result<bool, ConvertError> {
        debug_assert_eq!(def.ty, PropertyType::Boolean);
        let value = self.raw(def);
        // Kafka's ConfigDef accepts `true`/`false` in any case.
        if value.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if value.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(self.invalid(def, "true or false"))
        }
    }

    /// The canonical spelling of an enum property's value (matched case-insensitively).
    pub fn choice(&self, def: &PropertyDef) -> Result<&'static str, ConvertError> {
        let PropertyType::Enum(choices) = def.ty else {
            unreachable!("{} is not an enum", def.name)
        };
        let value = self.raw(def);
        choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .copied()
            .ok_or_else(|| self.invalid(def, &format!("one of {}", choices.join(", "))))
    }

    /// An integer property, checked against its declared range.
    pub fn int(&self, def: &PropertyDef) -> Result<i64, ConvertError> {
        let value = self.raw(def);
        let n: i64 = value.parse().map_err(|_| self.invalid(def, "an integer"))?;
        if let Some(Validator::Range { min, max }) = &def.validator {
            let below = min.is_some_and(|m| (n as f64) < m);
            let above = max.is_some_and(|m| (n as f64) > m);
            if below || above {
                let range = format!(
                    "an integer in [{}, {}]",
                    min.map_or("..".into(), |m| m.to_string()),
                    max.map_or("..".into(), |m| m.to_string())
                );
                return Err(self.invalid(def, &range));
            }
        }
        Ok(n)
    }

    /// A string property, trimmed, or its default.
    pub fn string<'a>(&'a self, def: &'a PropertyDef) -> &'a str {
        self.raw(def)
    }
}
