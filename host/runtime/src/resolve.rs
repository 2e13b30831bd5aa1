//! `transforms.<alias>.type`: which component file a transform runs.
//!
//! Three spellings, checked in this order:
//! * a Kafka Connect class name with a bundled equivalent
//!   (`org.apache.kafka.connect.transforms.MaskField$Value` → `mask-field` with
//!   `part=value`), so migrated connector files keep working;
//! * a path to a `.wasm` file, relative to the pipeline file's directory;
//! * the name of a bundled component, found as `<name>.wasm` in the components
//!   directory (guests built by cargo are named with `_`, so `mask_field.wasm` answers
//!   to `mask-field` too).

use std::path::{Path, PathBuf};

/// Kafka Connect's transforms that have a bundled equivalent: class prefix, component.
/// Both need `$Key` or `$Value`, which becomes the component's `part`.
const CONNECT_TRANSFORMS: &[(&str, &str)] = &[
    (
        "org.apache.kafka.connect.transforms.MaskField",
        "mask-field",
    ),
    (
        "org.apache.kafka.connect.transforms.InsertField",
        "insert-field",
    ),
];

const CONNECT_PACKAGE: &str = "org.apache.kafka.connect.transforms.";

/// The component a transform type names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub path: PathBuf,
    /// What errors and logs call the component (`mask-field`, or the file's stem).
    pub component: String,
    /// Properties implied by the type (`part=key` for `…MaskField$Key`).
    pub implied: Vec<(String, String)>,
}

/// Resolves `type_name`; the error says what was tried and what exists.
pub(crate) fn resolve(
    type_name: &str,
    base_dir: &Path,
    components_dir: &Path,
) -> Result<Resolved, String> {
    let type_name = type_name.trim();
    if type_name.starts_with(CONNECT_PACKAGE) {
        return connect_class(type_name, components_dir);
    }
    if type_name.ends_with(".wasm") || type_name.contains('/') {
        let path = base_dir.join(type_name);
        if !path.is_file() {
            return Err(format!(
                "component file {} does not exist (relative paths are relative to the \
                 pipeline file's directory)",
                path.display()
            ));
        }
        let component = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| type_name.to_owned());
        return Ok(Resolved {
            path,
            component,
            implied: Vec::new(),
        });
    }
    bundled(type_name, components_dir).map(|path| Resolved {
        path,
        component: type_name.to_owned(),
        implied: Vec::new(),
    })
}

fn connect_class(class: &str, components_dir: &Path) -> Result<Resolved, String> {
    let known = || {
        CONNECT_TRANSFORMS
            .iter()
            .map(|(c, _)| format!("{c}$Key/$Value"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (base, part) = match class.rsplit_once('$') {
        Some((base, "Key")) => (base, "key"),
        Some((base, "Value")) => (base, "value"),
        _ if CONNECT_TRANSFORMS.iter().any(|(c, _)| *c == class) => {
            return Err(format!(
                "Kafka Connect's {class} needs `$Key` or `$Value` (e.g. `{class}$Value`)"
            ));
        }
        _ => (class, ""),
    };
    let Some((_, component)) = CONNECT_TRANSFORMS.iter().find(|(c, _)| *c == base) else {
        return Err(format!(
            "the Kafka Connect transform {class} has no Sluice component yet (known: {}); \
             write one against wit/plugin.wit or use a bundled component",
            known()
        ));
    };
    Ok(Resolved {
        path: bundled(component, components_dir)?,
        component: (*component).to_owned(),
        implied: vec![("part".to_owned(), part.to_owned())],
    })
}

/// `<dir>/<name>.wasm`, or with `-` spelled `_`.
fn bundled(name: &str, dir: &Path) -> Result<PathBuf, String> {
    let candidates = [name.to_owned(), name.replace('-', "_")];
    if let Some(path) = candidates
        .iter()
        .map(|c| dir.join(format!("{c}.wasm")))
        .find(|p| p.is_file())
    {
        return Ok(path);
    }
    let available = available(dir);
    let hint = strsim_closest(name, &available)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(format!(
        "no bundled component `{name}` in {} (available: {}){hint}; give a path to a .wasm \
         file, or set {} to the directory holding your components",
        dir.display(),
        if available.is_empty() {
            "none".to_owned()
        } else {
            available.join(", ")
        },
        crate::options::COMPONENTS_DIR_ENV,
    ))
}

/// Names of the components in `dir`, `_` shown as `-`.
fn available(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().replace('_', "-")))
        .collect();
    names.sort();
    names
}

fn strsim_closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), c.as_str()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            std::fs::write(dir.path().join(f), b"").unwrap();
        }
        dir
    }

    #[test]
    fn bundled_names_find_underscored_files() {
        let dir = dir_with(&["mask_field.wasm"]);
        let r = resolve("mask-field", Path::new("/nowhere"), dir.path()).unwrap();
        assert_eq!(r.path, dir.path().join("mask_field.wasm"));
        assert_eq!(r.component, "mask-field");
        assert!(r.implied.is_empty());
    }

    #[test]
    fn connect_classes_map_to_bundled_components_with_their_part() {
        let dir = dir_with(&["mask_field.wasm", "insert_field.wasm"]);
        let r = resolve(
            "org.apache.kafka.connect.transforms.MaskField$Key",
            Path::new("."),
            dir.path(),
        )
        .unwrap();
        assert_eq!(r.component, "mask-field");
        assert_eq!(r.implied, [("part".to_owned(), "key".to_owned())]);
        let r = resolve(
            "org.apache.kafka.connect.transforms.InsertField$Value",
            Path::new("."),
            dir.path(),
        )
        .unwrap();
        assert_eq!(r.path, dir.path().join("insert_field.wasm"));
        assert_eq!(r.implied, [("part".to_owned(), "value".to_owned())]);
    }

    #[test]
    fn unknown_and_incomplete_connect_classes_say_what_to_do() {
        let dir = dir_with(&["mask_field.wasm"]);
        let e = resolve(
            "org.apache.kafka.connect.transforms.MaskField",
            Path::new("."),
            dir.path(),
        )
        .unwrap_err();
        assert!(e.contains("$Value"), "{e}");
        let e = resolve(
            "org.apache.kafka.connect.transforms.RegexRouter",
            Path::new("."),
            dir.path(),
        )
        .unwrap_err();
        assert!(e.contains("no Sluice component yet"), "{e}");
    }

    #[test]
    fn paths_are_relative_to_the_pipeline_file() {
        let dir = dir_with(&["mine.wasm"]);
        let r = resolve("mine.wasm", dir.path(), Path::new("/nowhere")).unwrap();
        assert_eq!(r.path, dir.path().join("mine.wasm"));
        assert_eq!(r.component, "mine");
        let e = resolve("gone.wasm", dir.path(), Path::new("/nowhere")).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn a_misspelt_bundled_name_gets_a_suggestion() {
        let dir = dir_with(&["mask_field.wasm", "insert_field.wasm"]);
        let e = resolve("mask-feild", Path::new("."), dir.path()).unwrap_err();
        assert!(e.contains("did you mean `mask-field`?"), "{e}");
        assert!(e.contains("insert-field, mask-field"), "{e}");
    }
}
