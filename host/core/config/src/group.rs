//! Prefixed property groups: what a component (transform, predicate, converter) is
//! configured with.
//!
//! A component receives only its own group, with the prefix removed
//! (`transforms.mask.fields=ssn` reaches the `mask` component as `fields=ssn`), and never
//! Sluice's own keys for it (`type`, `predicate`, `negate`, `sandbox.*`). Components
//! describe their properties only when they are loaded, so the config crate cannot check
//! a group while reading the file; [`Group::validate`] does it once the component's
//! [`ConfigDef`] is known.

use crate::def::ConfigDef;
use crate::parsed::ParsedConfig;
use crate::problem::{Checked, Problems};
use crate::raw::{RawProperties, RawValue};
use crate::validate::{Options, validate};

/// A component's properties: keys relative to `prefix`, origins kept for messages.
/// `Debug` does not show values (a group may hold a component's secret).
#[derive(Debug, Clone)]
pub struct Group {
    prefix: String,
    props: RawProperties,
}

impl Group {
    /// `props` must already have `prefix` removed from its keys.
    pub fn new(prefix: impl Into<String>, props: RawProperties) -> Group {
        Group {
            prefix: prefix.into(),
            props,
        }
    }
    /// The prefix the user wrote, e.g. `transforms.mask.`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
    /// The component's properties, keys relative to the prefix.
    pub fn props(&self) -> &RawProperties {
        &self.props
    }
    /// The raw value of `key` (relative to the prefix), if given.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.props.get(key).map(|e| &e.value)
    }
    /// Whether the user gave the component no properties.
    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }
    /// The group as the component receives it: relative keys and string values, lists
    /// in their comma form, in file order.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        self.props
            .iter()
            .map(|(k, e)| (k.to_owned(), e.value.joined()))
            .collect()
    }
    /// Validates the group against the component's definition; problems name keys in
    /// full (`transforms.mask.fieldz`). The caller names the pipeline on them.
    pub fn validate(&self, def: &ConfigDef) -> Checked<ParsedConfig> {
        let mut problems = Problems::new();
        let options = Options {
            prefix: &self.prefix,
            other_names: &[],
        };
        let parsed = validate(def, &self.props, options, &mut problems);
        Checked::new(parsed, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::def::{PropertyDef, PropertyType};
    use crate::origin::Origin;

    #[test]
    fn validation_names_keys_with_the_prefix() {
        let props = RawProperties::from_pairs(Origin::file("p.yaml"), [("fieldz", "ssn")]);
        let group = Group::new("transforms.mask.", props);
        let def = ConfigDef::new(
            "mask",
            vec![PropertyDef::new("fields", PropertyType::List, "fields to mask").required()],
        );
        let checked = group.validate(&def);
        assert!(checked.value.is_none());
        let props: Vec<_> = checked
            .problems
            .errors()
            .map(|p| p.property.clone().unwrap())
            .collect();
        assert_eq!(props, ["transforms.mask.fields", "transforms.mask.fieldz"]);
        let text = checked.problems.to_string();
        assert!(
            text.contains("did you mean `transforms.mask.fields`?"),
            "{text}"
        );
    }

    #[test]
    fn pairs_join_lists() {
        let mut props = RawProperties::new(Origin::file("p"));
        props.insert(
            "fields".into(),
            crate::raw::RawEntry::new(
                RawValue::List(vec!["a".into(), "b".into()]),
                Origin::file("p"),
            ),
        );
        let group = Group::new("transforms.mask.", props);
        assert_eq!(group.to_pairs(), [("fields".to_owned(), "a,b".to_owned())]);
    }
}
