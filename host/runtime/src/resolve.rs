//! `transforms.<alias>.type`: which component file a transform runs.
//!
//! Three spellings, checked in this order:
//! * a Kafka Connect class name with a bundled equivalent
//!   (`org.apache.kafka.connect.transforms.MaskField$Value` → `mask-field` with
//!   `part=value`), so migrated connector files keep working;
//! * a path to a `.wasm` file, relative to the pipeline file's directory;
//! * the name of a bundled component: `<name>.wasm` in the components directory when
//!   one is given (`--components-dir`, `$SLUICE_COMPONENTS_DIR`; guests built by cargo
//!   are named with `_`, so `mask_field.wasm` answers to `mask-field` too), else the
//!   component embedded in the binary.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Kafka Connect's transforms that have a bundled equivalent: class prefix, component.
/// Each needs `$Key` or `$Value`, which becomes the component's `part`.
const CONNECT_TRANSFORMS: &[(&str, &str)] = &[
    (
        "org.apache.kafka.connect.transforms.MaskField",
        "mask-field",
    ),
    (
        "org.apache.kafka.connect.transforms.InsertField",
        "insert-field",
    ),
    (
        "org.apache.kafka.connect.transforms.ReplaceField",
        "replace-field",
    ),
    ("org.apache.kafka.connect.transforms.Cast", "cast"),
    (
        "org.apache.kafka.connect.transforms.ExtractField",
        "extract-field",
    ),
    (
        "org.apache.kafka.connect.transforms.HoistField",
        "hoist-field",
    ),
    (
        "org.apache.kafka.connect.transforms.SetSchemaMetadata",
        "set-schema-metadata",
    ),
    ("org.apache.kafka.connect.transforms.Flatten", "flatten"),
    (
        "org.apache.kafka.connect.transforms.TimestampConverter",
        "timestamp-converter",
    ),
    (
        "org.apache.kafka.connect.transforms.HeaderFrom",
        "header-from",
    ),
];

/// Kafka Connect's transforms and predicates with a bundled equivalent that work on a
/// whole record and so have no `$Key`/`$Value` variants: class, component.
const CONNECT_WHOLE_RECORD: &[(&str, &str)] = &[
    (
        "org.apache.kafka.connect.transforms.ValueToKey",
        "value-to-key",
    ),
    ("org.apache.kafka.connect.transforms.Filter", "filter"),
    (
        "org.apache.kafka.connect.transforms.RegexRouter",
        "regex-router",
    ),
    (
        "org.apache.kafka.connect.transforms.TimestampRouter",
        "timestamp-router",
    ),
    (
        "org.apache.kafka.connect.transforms.InsertHeader",
        "insert-header",
    ),
    (
        "org.apache.kafka.connect.transforms.DropHeaders",
        "drop-headers",
    ),
    (
        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        "topic-name-matches",
    ),
    (
        "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        "has-header-key",
    ),
    (
        "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        "record-is-tombstone",
    ),
];

const CONNECT_PACKAGE: &str = "org.apache.kafka.connect.transforms.";

/// Every Kafka Connect class name a bundled component answers to (with `$Key` and
/// `$Value` spelt out), and that component: what the REST API's plugin list shows.
pub fn connect_classes() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (class, component) in CONNECT_TRANSFORMS {
        for part in ["$Key", "$Value"] {
            out.push((format!("{class}{part}"), *component));
        }
    }
    out.extend(
        CONNECT_WHOLE_RECORD
            .iter()
            .map(|(class, component)| ((*class).to_owned(), *component)),
    );
    out
}

/// Where a component's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ComponentSource {
    File(PathBuf),
    Embedded(&'static [u8]),
}

impl ComponentSource {
    /// The component's bytes; the error names the file.
    pub fn bytes(&self) -> Result<Cow<'static, [u8]>, String> {
        match self {
            ComponentSource::File(path) => std::fs::read(path)
                .map(Cow::Owned)
                .map_err(|e| format!("cannot read {}: {e}", path.display())),
            ComponentSource::Embedded(bytes) => Ok(Cow::Borrowed(bytes)),
        }
    }
}

/// Where bundled components come from: an optional directory searched first, then
/// the components embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bundled<'a> {
    pub dir: Option<&'a Path>,
    pub embedded: &'static [(&'static str, &'static [u8])],
}

/// The component a transform type names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub source: ComponentSource,
    /// What errors and logs call the component (`mask-field`, or the file's stem).
    pub component: String,
    /// Properties implied by the type (`part=key` for `…MaskField$Key`).
    pub implied: Vec<(String, String)>,
}

/// Resolves `type_name`; the error says what was tried and what exists.
pub(crate) fn resolve(
    type_name: &str,
    base_dir: &Path,
    bundled_in: Bundled<'_>,
) -> Result<Resolved, String> {
    let type_name = type_name.trim();
    if type_name.starts_with(CONNECT_PACKAGE) {
        return connect_class(type_name, bundled_in);
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
            source: ComponentSource::File(path),
            component,
            implied: Vec::new(),
        });
    }
    bundled(type_name, bundled_in).map(|source| Resolved {
        source,
        component: type_name.to_owned(),
        implied: Vec::new(),
    })
}

fn connect_class(class: &str, bundled_in: Bundled<'_>) -> Result<Resolved, String> {
    if let Some((_, component)) = CONNECT_WHOLE_RECORD.iter().find(|(c, _)| *c == class) {
        return Ok(Resolved {
            source: bundled(component, bundled_in)?,
            component: (*component).to_owned(),
            implied: Vec::new(),
        });
    }
    let known = || {
        CONNECT_TRANSFORMS
            .iter()
            .map(|(c, _)| format!("{c}$Key/$Value"))
            .chain(CONNECT_WHOLE_RECORD.iter().map(|(c, _)| (*c).to_owned()))
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
    if CONNECT_WHOLE_RECORD.iter().any(|(c, _)| *c == base) {
        return Err(format!(
            "Kafka Connect's {base} has no `$Key`/`$Value` variants: write `{base}`"
        ));
    }
    let Some((_, component)) = CONNECT_TRANSFORMS.iter().find(|(c, _)| *c == base) else {
        return Err(format!(
            "the Kafka Connect transform {class} has no Sluice component yet (known: {}); \
             write one against wit/plugin.wit or use a bundled component",
            known()
        ));
    };
    Ok(Resolved {
        source: bundled(component, bundled_in)?,
        component: (*component).to_owned(),
        implied: vec![("part".to_owned(), part.to_owned())],
    })
}

/// `<dir>/<name>.wasm` (or with `-` spelled `_`) when there is a directory, else the
/// embedded component.
fn bundled(name: &str, from: Bundled<'_>) -> Result<ComponentSource, String> {
    let candidates = [name.to_owned(), name.replace('-', "_")];
    if let Some(dir) = from.dir {
        if let Some(path) = candidates
            .iter()
            .map(|c| dir.join(format!("{c}.wasm")))
            .find(|p| p.is_file())
        {
            return Ok(ComponentSource::File(path));
        }
    } else if let Some((_, bytes)) = from.embedded.iter().find(|(n, _)| *n == name) {
        return Ok(ComponentSource::Embedded(bytes));
    }
    let (available, place) = match from.dir {
        Some(dir) => (available(dir), format!("in {}", dir.display())),
        None => (
            from.embedded.iter().map(|(n, _)| (*n).to_owned()).collect(),
            "in this build".to_owned(),
        ),
    };
    let hint = strsim_closest(name, &available)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(format!(
        "no bundled component `{name}` {place} (available: {}){hint}; give a path to a .wasm \
         file, or set {} to the directory holding your components",
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

    fn in_dir(dir: &tempfile::TempDir) -> Bundled<'_> {
        Bundled {
            dir: Some(dir.path()),
            embedded: &[],
        }
    }

    fn file(r: &Resolved) -> &Path {
        match &r.source {
            ComponentSource::File(p) => p,
            ComponentSource::Embedded(_) => panic!("embedded"),
        }
    }

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
        let r = resolve("mask-field", Path::new("/nowhere"), in_dir(&dir)).unwrap();
        assert_eq!(file(&r), dir.path().join("mask_field.wasm"));
        assert_eq!(r.component, "mask-field");
        assert!(r.implied.is_empty());
    }

    #[test]
    fn connect_classes_map_to_bundled_components_with_their_part() {
        let dir = dir_with(&["mask_field.wasm", "insert_field.wasm"]);
        let r = resolve(
            "org.apache.kafka.connect.transforms.MaskField$Key",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap();
        assert_eq!(r.component, "mask-field");
        assert_eq!(r.implied, [("part".to_owned(), "key".to_owned())]);
        let r = resolve(
            "org.apache.kafka.connect.transforms.InsertField$Value",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap();
        assert_eq!(file(&r), dir.path().join("insert_field.wasm"));
        assert_eq!(r.implied, [("part".to_owned(), "value".to_owned())]);
    }

    #[test]
    fn replace_field_cast_extract_and_hoist_field_have_their_connect_classes() {
        let dir = dir_with(&[
            "replace_field.wasm",
            "cast.wasm",
            "extract_field.wasm",
            "hoist_field.wasm",
        ]);
        for (class, component, part) in [
            ("ReplaceField$Value", "replace-field", "value"),
            ("ReplaceField$Key", "replace-field", "key"),
            ("Cast$Value", "cast", "value"),
            ("Cast$Key", "cast", "key"),
            ("ExtractField$Value", "extract-field", "value"),
            ("ExtractField$Key", "extract-field", "key"),
            ("HoistField$Value", "hoist-field", "value"),
            ("HoistField$Key", "hoist-field", "key"),
        ] {
            let r = resolve(
                &format!("org.apache.kafka.connect.transforms.{class}"),
                Path::new("."),
                in_dir(&dir),
            )
            .unwrap();
            assert_eq!(r.component, component, "{class}");
            assert_eq!(r.implied, [("part".to_owned(), part.to_owned())]);
        }
        let r = resolve("replace-field", Path::new("."), in_dir(&dir)).unwrap();
        assert_eq!(file(&r), dir.path().join("replace_field.wasm"));
    }

    #[test]
    fn value_to_key_and_set_schema_metadata_have_their_connect_classes() {
        let dir = dir_with(&["value_to_key.wasm", "set_schema_metadata.wasm"]);
        let class = "org.apache.kafka.connect.transforms.ValueToKey";
        let r = resolve(class, Path::new("."), in_dir(&dir)).unwrap();
        assert_eq!(r.component, "value-to-key");
        assert!(r.implied.is_empty(), "ValueToKey has no part");
        let e = resolve(&format!("{class}$Value"), Path::new("."), in_dir(&dir)).unwrap_err();
        assert!(e.contains("no `$Key`/`$Value` variants"), "{e}");
        let r = resolve(
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap();
        assert_eq!(r.component, "set-schema-metadata");
        assert_eq!(r.implied, [("part".to_owned(), "key".to_owned())]);
    }

    #[test]
    fn flatten_and_timestamp_converter_have_their_connect_classes() {
        let dir = dir_with(&["flatten.wasm", "timestamp_converter.wasm"]);
        for (class, component) in [
            ("Flatten$Value", "flatten"),
            ("TimestampConverter$Value", "timestamp-converter"),
        ] {
            let r = resolve(
                &format!("org.apache.kafka.connect.transforms.{class}"),
                Path::new("."),
                in_dir(&dir),
            )
            .unwrap();
            assert_eq!(r.component, component);
            assert_eq!(r.implied, [("part".to_owned(), "value".to_owned())]);
        }
    }

    #[test]
    fn connect_predicates_map_to_bundled_components() {
        let dir = dir_with(&["topic_name_matches.wasm"]);
        let r = resolve(
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap();
        assert_eq!(r.component, "topic-name-matches");
        assert!(r.implied.is_empty());
    }

    #[test]
    fn whole_record_connect_classes_map_to_components_without_a_part() {
        let files = [
            "filter.wasm",
            "regex_router.wasm",
            "timestamp_router.wasm",
            "insert_header.wasm",
            "drop_headers.wasm",
            "has_header_key.wasm",
            "record_is_tombstone.wasm",
        ];
        let dir = dir_with(&files);
        for (class, component) in [
            ("Filter", "filter"),
            ("RegexRouter", "regex-router"),
            ("TimestampRouter", "timestamp-router"),
            ("InsertHeader", "insert-header"),
            ("DropHeaders", "drop-headers"),
            ("predicates.HasHeaderKey", "has-header-key"),
            ("predicates.RecordIsTombstone", "record-is-tombstone"),
        ] {
            let class = format!("{CONNECT_PACKAGE}{class}");
            let r = resolve(&class, Path::new("."), in_dir(&dir)).unwrap();
            assert_eq!(r.component, component, "{class}");
            assert!(r.implied.is_empty(), "{class}: {:?}", r.implied);
            // The short name finds the same file.
            let short = resolve(component, Path::new("."), in_dir(&dir)).unwrap();
            assert_eq!(short.source, r.source, "{component}");
        }
        let dir = dir_with(&["header_from.wasm"]);
        let r = resolve(
            "org.apache.kafka.connect.transforms.HeaderFrom$Key",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap();
        assert_eq!(r.component, "header-from");
        assert_eq!(r.implied, [("part".to_owned(), "key".to_owned())]);
    }

    #[test]
    fn unknown_and_incomplete_connect_classes_say_what_to_do() {
        let dir = dir_with(&["mask_field.wasm"]);
        let e = resolve(
            "org.apache.kafka.connect.transforms.MaskField",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap_err();
        assert!(e.contains("$Value"), "{e}");
        let e = resolve(
            "org.apache.kafka.connect.transforms.NoSuchTransform",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap_err();
        assert!(e.contains("no Sluice component yet"), "{e}");
        assert!(
            e.contains("RegexRouter"),
            "the known classes are listed: {e}"
        );
        // A whole-record class takes no part: the error says how to write it.
        let e = resolve(
            "org.apache.kafka.connect.transforms.RegexRouter$Value",
            Path::new("."),
            in_dir(&dir),
        )
        .unwrap_err();
        assert!(e.contains("has no `$Key`/`$Value` variants"), "{e}");
        assert!(
            e.contains("write `org.apache.kafka.connect.transforms.RegexRouter`"),
            "{e}"
        );
    }

    #[test]
    fn paths_are_relative_to_the_pipeline_file() {
        let dir = dir_with(&["mine.wasm"]);
        let nowhere = Bundled {
            dir: Some(Path::new("/nowhere")),
            embedded: &[],
        };
        let r = resolve("mine.wasm", dir.path(), nowhere).unwrap();
        assert_eq!(file(&r), dir.path().join("mine.wasm"));
        assert_eq!(r.component, "mine");
        let e = resolve("gone.wasm", dir.path(), nowhere).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn a_misspelt_bundled_name_gets_a_suggestion() {
        let dir = dir_with(&["mask_field.wasm", "insert_field.wasm"]);
        let e = resolve("mask-feild", Path::new("."), in_dir(&dir)).unwrap_err();
        assert!(e.contains("did you mean `mask-field`?"), "{e}");
        assert!(e.contains("insert-field, mask-field"), "{e}");
    }

    #[test]
    fn without_a_directory_bundled_names_are_the_embedded_components() {
        static EMBEDDED: &[(&str, &[u8])] = &[("mask-field", b"wasm")];
        let from = Bundled {
            dir: None,
            embedded: EMBEDDED,
        };
        let r = resolve("mask-field", Path::new("."), from).unwrap();
        assert_eq!(r.source, ComponentSource::Embedded(b"wasm"));
        let e = resolve("mask-feild", Path::new("."), from).unwrap_err();
        assert!(e.contains("in this build"), "{e}");
        assert!(e.contains("did you mean `mask-field`?"), "{e}");
    }
}
