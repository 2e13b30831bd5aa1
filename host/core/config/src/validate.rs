//! Validating raw properties against a [`ConfigDef`]: deprecated aliases, required
//! properties, types, validators and unknown keys, all problems collected.

use crate::def::{ConfigDef, PropertyDef};
use crate::origin::Origin;
use crate::parsed::{ParsedConfig, Resolved, ValueSource};
use crate::problem::Problems;
use crate::raw::{RawEntry, RawProperties};
use crate::suggest::did_you_mean;
use crate::validator;
use crate::value::{self, ConfigValue};

/// How keys are named in messages and what else a misspelt key may have meant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Prepended to keys in messages: the props of a group are validated without their
    /// prefix (`fields`), but the user wrote `transforms.mask.fields`.
    pub prefix: &'a str,
    /// Further valid full keys to suggest for an unknown key (e.g. the pipeline's own
    /// keys when validating a connector's), besides the definition's names.
    pub other_names: &'a [&'a str],
}

/// Validates `props` against `def`. Returns the parsed values if no error was found;
/// every problem (including deprecation warnings) goes to `problems`.
pub fn validate(
    def: &ConfigDef,
    props: &RawProperties,
    options: Options<'_>,
    problems: &mut Problems,
) -> Option<ParsedConfig> {
    let (parsed, ok) = validate_partial(def, props, options, problems);
    ok.then_some(parsed)
}

/// Like [`validate`], but also returns the values that are valid when others are not,
/// so that checks depending on them can still run; `true` when everything was valid.
pub(crate) fn validate_partial(
    def: &ConfigDef,
    props: &RawProperties,
    options: Options<'_>,
    problems: &mut Problems,
) -> (ParsedConfig, bool) {
    let mut ok = true;
    let mut values = Vec::with_capacity(def.properties.len());
    for prop in &def.properties {
        match resolve(prop, props, options, problems) {
            Ok(v) => values.extend(v),
            Err(Failed) => ok = false,
        }
    }
    ok &= report_unknown(def, props, options, problems);
    (ParsedConfig::new(def.component.clone(), values), ok)
}

/// A property had no usable value; the reason is already among the problems.
struct Failed;

/// One property's value: from its name, else from a deprecated alias, else the default
/// (none for an optional property without one).
fn resolve(
    prop: &PropertyDef,
    props: &RawProperties,
    options: Options<'_>,
    problems: &mut Problems,
) -> Result<Option<Resolved>, Failed> {
    let full = |key: &str| format!("{}{key}", options.prefix);
    let given = props.get(&prop.name).map(|e| (prop.name.as_ref(), e));
    let aliases: Vec<(&str, &RawEntry)> = prop
        .deprecated_aliases
        .iter()
        .filter_map(|a| props.get(a).map(|e| (a, e)))
        .collect();
    let chosen = given.or_else(|| aliases.first().copied());
    for (alias, entry) in &aliases {
        let message = match chosen {
            Some((used, _)) if used == *alias => format!(
                "deprecated alias of `{}`; rename it (the value is used)",
                full(&prop.name)
            ),
            _ => format!(
                "deprecated alias of `{}` and ignored, because `{}` is also set",
                full(&prop.name),
                full(chosen.map_or(prop.name.as_ref(), |(k, _)| k))
            ),
        };
        problems.warning(&entry.origin, Some(&full(alias)), message);
    }

    let Some((key, entry)) = chosen else {
        return default_value(prop, props.source(), &full(&prop.name), problems);
    };
    let sensitive = prop.is_secret() || entry.from_provider;
    let shown = |reason: String| {
        if sensitive {
            format!("invalid value: {reason}")
        } else {
            format!("invalid value `{}`: {reason}", entry.value.joined())
        }
    };
    let parsed = value::parse(&prop.ty, &entry.value).and_then(|v| check(prop, &v).map(|()| v));
    let parsed = match parsed {
        Ok(v) => v,
        Err(reason) => {
            let key = full(key);
            if !problems.has_error_for(&key) {
                problems.error(&entry.origin, Some(&key), shown(reason));
            }
            return Err(Failed);
        }
    };
    Ok(Some(Resolved {
        name: prop.name.clone(),
        value: parsed,
        source: ValueSource::Set {
            key: key.to_owned(),
            origin: entry.origin.clone(),
        },
    }))
}

fn check(prop: &PropertyDef, value: &ConfigValue) -> Result<(), String> {
    prop.validator
        .as_ref()
        .map_or(Ok(()), |v| validator::check(v, value))
}

fn default_value(
    prop: &PropertyDef,
    file: &Origin,
    full_name: &str,
    problems: &mut Problems,
) -> Result<Option<Resolved>, Failed> {
    let Some(default) = &prop.default else {
        if !prop.required {
            return Ok(None);
        }
        problems.error(file, Some(full_name), "missing required property");
        return Err(Failed);
    };
    // A default that does not parse is a bug in a declaration; the registry's tests catch
    // it, and reporting it beats panicking in a user's face.
    let raw = crate::raw::RawValue::Scalar(default.to_string());
    match value::parse(&prop.ty, &raw) {
        Ok(value) => Ok(Some(Resolved {
            name: prop.name.clone(),
            value,
            source: ValueSource::Default,
        })),
        Err(reason) => {
            problems.error(
                file,
                Some(full_name),
                format!("declared default is invalid: {reason}"),
            );
            Err(Failed)
        }
    }
}

/// Reports keys `def` does not declare; `true` when there were none.
fn report_unknown(
    def: &ConfigDef,
    props: &RawProperties,
    options: Options<'_>,
    problems: &mut Problems,
) -> bool {
    let mut none = true;
    for (key, entry) in props.iter().filter(|(k, _)| def.lookup(k).is_none()) {
        let hint = if options.prefix.is_empty() {
            let mut candidates: Vec<&str> = def.names().collect();
            candidates.extend_from_slice(options.other_names);
            did_you_mean(key, candidates)
        } else {
            let local = crate::suggest::suggest(key, def.names());
            local
                .map(|s| format!("; did you mean `{}{s}`?", options.prefix))
                .unwrap_or_default()
        };
        let full = format!("{}{key}", options.prefix);
        problems.error(
            &entry.origin,
            Some(&full),
            format!("unknown property{hint}"),
        );
        none = false;
    }
    none
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::def::{Importance, PropertyType, Validator};
    use crate::problem::Severity;
    use crate::raw::RawValue;

    fn def() -> ConfigDef {
        ConfigDef::new(
            "test",
            vec![
                PropertyDef::new("url", PropertyType::String, "where").required(),
                PropertyDef::new("batch_size", PropertyType::Int, "how many")
                    .default("10")
                    .validator(Validator::at_least(1.0)),
                PropertyDef::new("tables.prefix", PropertyType::String, "prefix")
                    .aliases(&["table_prefix", "old_prefix"]),
                PropertyDef::new("password", PropertyType::Password, "secret")
                    .validator(Validator::Custom {
                        description: "at least 4 characters",
                        check: |v| match v {
                            ConfigValue::Password(p) if p.expose().len() < 4 => {
                                Err("too short".into())
                            }
                            _ => Ok(()),
                        },
                    })
                    .importance(Importance::High),
            ],
        )
    }

    fn run(pairs: &[(&str, &str)]) -> (Option<ParsedConfig>, Problems) {
        let props = RawProperties::from_pairs(Origin::file("p.yaml"), pairs.iter().copied());
        let mut problems = Problems::new();
        let parsed = validate(&def(), &props, Options::default(), &mut problems);
        (parsed, problems)
    }

    #[test]
    fn defaults_and_given_values() {
        let (parsed, problems) = run(&[("url", "http://h:1")]);
        assert!(problems.is_empty(), "{problems}");
        let parsed = parsed.unwrap();
        assert_eq!(parsed.int("batch_size"), 10);
        assert!(!parsed.is_set("batch_size"));
        assert!(parsed.is_set("url"));
        assert_eq!(parsed.string("tables.prefix"), "");
    }

    #[test]
    fn the_new_name_wins_over_an_alias_and_the_alias_is_flagged() {
        let (parsed, problems) = run(&[
            ("url", "u"),
            ("table_prefix", "old"),
            ("tables.prefix", "new"),
        ]);
        assert_eq!(parsed.unwrap().string("tables.prefix"), "new");
        let w: Vec<_> = problems.warnings().collect();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].property.as_deref(), Some("table_prefix"));
        assert!(w[0].message.contains("ignored"), "{}", w[0].message);
    }

    #[test]
    fn an_alias_alone_works_with_a_warning_naming_the_new_name() {
        let (parsed, problems) = run(&[("url", "u"), ("old_prefix", "p_")]);
        let parsed = parsed.unwrap();
        assert_eq!(parsed.string("tables.prefix"), "p_");
        match &parsed.resolved("tables.prefix").unwrap().source {
            ValueSource::Set { key, .. } => assert_eq!(key, "old_prefix"),
            other => panic!("{other:?}"),
        }
        let w = problems.warnings().next().expect("deprecation warning");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.message.contains("`tables.prefix`"), "{}", w.message);
        assert!(!problems.has_errors());
    }

    #[test]
    fn all_problems_are_collected() {
        let (parsed, problems) =
            run(&[("batch_size", "0"), ("batchsize", "5"), ("password", "ab")]);
        assert!(parsed.is_none());
        let props: Vec<_> = problems
            .errors()
            .map(|p| p.property.clone().unwrap())
            .collect();
        assert_eq!(props, ["url", "batch_size", "password", "batchsize"]);
        let unknown = problems.errors().last().unwrap();
        assert!(
            unknown.message.contains("did you mean `batch_size`?"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn invalid_values_are_quoted_unless_secret_or_provided() {
        let (_, problems) = run(&[("url", "u"), ("batch_size", "zero"), ("password", "abc")]);
        let text = problems.to_string();
        assert!(text.contains("invalid value `zero`"), "{text}");
        assert!(
            text.contains("`password`: invalid value: too short"),
            "{text}"
        );
        assert!(!text.contains("abc"), "{text}");

        let mut props = RawProperties::from_pairs(Origin::file("p"), [("url", "u")]);
        let mut entry = RawEntry::new(RawValue::Scalar("from-env".into()), Origin::file("p"));
        entry.from_provider = true;
        props.insert("batch_size".into(), entry);
        let mut problems = Problems::new();
        validate(&def(), &props, Options::default(), &mut problems);
        assert!(problems.has_errors());
        assert!(!problems.to_string().contains("from-env"), "{problems}");
    }

    #[test]
    fn a_prefix_names_keys_in_full() {
        let props =
            RawProperties::from_pairs(Origin::file("p"), [("url", "u"), ("batchsize", "1")]);
        let mut problems = Problems::new();
        let options = Options {
            prefix: "transforms.t.",
            other_names: &[],
        };
        validate(&def(), &props, options, &mut problems);
        let p = problems.errors().next().unwrap();
        assert_eq!(p.property.as_deref(), Some("transforms.t.batchsize"));
        assert!(
            p.message.contains("`transforms.t.batch_size`"),
            "{}",
            p.message
        );
    }
}
