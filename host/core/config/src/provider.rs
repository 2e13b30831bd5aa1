//! Config providers: `${env:NAME}` and `${file:path:key}` references inside values,
//! resolved once at load time, as Kafka's `ConfigTransformer` does.
//!
//! A reference may be the whole value or part of a longer string
//! (`http://${env:KINETICA_HOST}:9191`). `${file:…}` reads a `.properties` file; a
//! relative path is resolved against the directory of the pipeline file that uses it.
//! Resolved text is marked [`RawEntry::from_provider`](crate::RawEntry) so that later
//! messages never quote it, and problems name the property and the reference, never the
//! resolved value. Text like `${name}` (no provider) is left alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::origin::Origin;
use crate::problem::Problems;
use crate::properties;
use crate::raw::RawProperties;

/// Providers this crate knows, for the "unknown provider" message.
const KNOWN: &str = "env, file";

/// Replaces every reference in `props`; each unresolvable one becomes a problem on its
/// property (the value is then left as written).
pub fn resolve(props: &mut RawProperties, base_dir: &Path, problems: &mut Problems) {
    let mut resolver = Resolver {
        base_dir,
        files: HashMap::new(),
    };
    for (key, entry) in props.iter_mut() {
        let mut used = false;
        match entry.value.try_map(|s| resolver.expand(s, &mut used)) {
            Ok(value) if used => {
                entry.value = value;
                entry.from_provider = true;
            }
            Ok(_) => {}
            Err(message) => problems.error(&entry.origin, Some(key), message),
        }
    }
}

struct Resolver<'a> {
    base_dir: &'a Path,
    /// Each referenced file is read once: path → its keys, or why it could not be read.
    files: HashMap<PathBuf, Result<HashMap<String, String>, String>>,
}

impl Resolver<'_> {
    /// Expands the references in `text`; sets `used` when there was one.
    fn expand(&mut self, text: &str, used: &mut bool) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let reference = &after[..end];
            match reference.split_once(':') {
                Some((provider, arg)) => {
                    out.push_str(&self.lookup(provider, arg)?);
                    *used = true;
                }
                None => out.push_str(&rest[start..start + 2 + end + 1]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn lookup(&mut self, provider: &str, arg: &str) -> Result<String, String> {
        match provider {
            "env" => match std::env::var(arg) {
                Ok(v) => Ok(v),
                Err(std::env::VarError::NotPresent) => Err(format!(
                    "environment variable `{arg}` (from `${{env:{arg}}}`) is not set"
                )),
                Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                    "environment variable `{arg}` (from `${{env:{arg}}}`) is not valid UTF-8"
                )),
            },
            "file" => {
                let Some((path, key)) = arg.split_once(':') else {
                    return Err(format!(
                        "`${{file:{arg}}}` must name a file and a key: `${{file:path:key}}`"
                    ));
                };
                let keys = self.file(path)?;
                keys.get(key).cloned().ok_or_else(|| {
                    format!("key `{key}` not found in `{path}` (from `${{file:{arg}}}`)")
                })
            }
            other => Err(format!(
                "unknown config provider `{other}` in `${{{other}:{arg}}}` (known: {KNOWN})"
            )),
        }
    }

    fn file(&mut self, path: &str) -> Result<&HashMap<String, String>, String> {
        let full = self.base_dir.join(path);
        self.files
            .entry(full.clone())
            .or_insert_with(|| read_properties(&full, path))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Reads a provider file. Its own problems are summarised, since they belong to another
/// file than the property that references it.
fn read_properties(full: &Path, written: &str) -> Result<HashMap<String, String>, String> {
    let text = std::fs::read_to_string(full)
        .map_err(|e| format!("cannot read `{written}` ({}): {e}", full.display()))?;
    let mut problems = Problems::new();
    let entries = properties::parse(&text, &Origin::file(full), &mut problems);
    if let Some(p) = problems.errors().next() {
        return Err(format!("cannot parse {}: {}", p.origin, p.message));
    }
    Ok(entries
        .into_iter()
        .map(|(k, e)| (k, e.value.joined()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::RawValue;

    fn resolve_one(value: &str, base: &Path) -> (RawProperties, Problems) {
        let mut props =
            RawProperties::from_pairs(Origin::file(base.join("p.yaml")), [("prop.x", value)]);
        let mut problems = Problems::new();
        resolve(&mut props, base, &mut problems);
        (props, problems)
    }

    #[test]
    #[allow(unsafe_code)] // setting an environment variable for the test
    fn env_references_resolve_inside_longer_strings() {
        // SAFETY: unique name; no other test reads or writes it.
        unsafe { std::env::set_var("SLUICE_PROVIDER_TEST_HOST", "db1") };
        let (props, problems) = resolve_one(
            "http://${env:SLUICE_PROVIDER_TEST_HOST}:9191",
            Path::new("."),
        );
        assert!(problems.is_empty(), "{problems}");
        let e = props.get("prop.x").unwrap();
        assert_eq!(e.value, RawValue::Scalar("http://db1:9191".into()));
        assert!(e.from_provider);
    }

    #[test]
    fn missing_env_var_names_the_property_and_variable() {
        let (_, problems) = resolve_one("${env:SLUICE_SURELY_UNSET_VAR}", Path::new("."));
        let p = problems.errors().next().expect("an error");
        assert_eq!(p.property.as_deref(), Some("prop.x"));
        assert!(
            p.message.contains("SLUICE_SURELY_UNSET_VAR"),
            "{}",
            p.message
        );
    }

    #[test]
    fn file_references_are_relative_to_the_pipeline_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/db.properties"), "pw = s3cret\n").unwrap();
        let (props, problems) = resolve_one("${file:secrets/db.properties:pw}", dir.path());
        assert!(problems.is_empty(), "{problems}");
        assert_eq!(
            props.get("prop.x").unwrap().value,
            RawValue::Scalar("s3cret".into())
        );
    }

    #[test]
    fn missing_file_key_and_bad_references_are_errors_without_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db.properties"), "pw=s3cret\n").unwrap();
        for (value, expect) in [
            (
                "${file:db.properties:user}",
                "key `user` not found in `db.properties`",
            ),
            (
                "${file:nope.properties:pw}",
                "cannot read `nope.properties`",
            ),
            ("${file:db.properties}", "must name a file and a key"),
            ("${vault:x}", "unknown config provider `vault`"),
        ] {
            let (_, problems) = resolve_one(value, dir.path());
            let p = problems.errors().next().expect(value);
            assert!(p.message.contains(expect), "{value}: {}", p.message);
            assert!(!p.message.contains("s3cret"));
        }
    }

    #[test]
    fn text_without_a_provider_is_left_alone() {
        let (props, problems) = resolve_one("${topic}-${", Path::new("."));
        assert!(problems.is_empty());
        let e = props.get("prop.x").unwrap();
        assert_eq!(e.value, RawValue::Scalar("${topic}-${".into()));
        assert!(!e.from_provider);
    }
}
