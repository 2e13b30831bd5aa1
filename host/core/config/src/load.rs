//! Reading a configuration file into raw properties: pick the syntax by extension,
//! flatten, reject duplicate keys, resolve `${provider:…}` references.

use std::path::Path;

use crate::origin::Origin;
use crate::problem::Problems;
use crate::raw::RawProperties;
use crate::{properties, provider, yaml};

/// The syntaxes a pipeline can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.yaml` / `.yml`: nested or dotted keys.
    Yaml,
    /// `.properties`: a Kafka Connect connector file.
    Properties,
}

impl FileFormat {
    /// The format implied by the file's extension.
    pub fn of(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(FileFormat::Yaml),
            "properties" => Some(FileFormat::Properties),
            _ => None,
        }
    }
}

/// Reads `path`. Returns `None` (with the reason in the problems) when the file cannot
/// be read or parsed at all; otherwise the properties, even if some had problems
/// (duplicates, unresolvable references), so that later checks can still run.
/// `valued_keys`: see [`RawProperties::build`].
pub fn load_raw(path: &Path, valued_keys: &[&str]) -> (Option<RawProperties>, Problems) {
    let mut problems = Problems::new();
    let source = Origin::file(path);
    let Some(format) = FileFormat::of(path) else {
        problems.error(
            &source,
            None,
            "unknown file type: expected .yaml, .yml or .properties",
        );
        return (None, problems);
    };
    let text = match std::fs::read(path) {
        Ok(bytes) => decode(bytes),
        Err(e) => {
            problems.error(&source, None, format!("cannot read the file: {e}"));
            return (None, problems);
        }
    };
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let raw = parse_raw(&text, format, source, base_dir, valued_keys, &mut problems);
    (raw, problems)
}

/// Parses `text` as if read from `source` (the REST API and tests use this directly).
/// Relative `${file:…}` paths are resolved against `base_dir`.
pub fn parse_raw(
    text: &str,
    format: FileFormat,
    source: Origin,
    base_dir: &Path,
    valued_keys: &[&str],
    problems: &mut Problems,
) -> Option<RawProperties> {
    let entries = match format {
        FileFormat::Yaml => yaml::parse(text, &source, problems)?,
        FileFormat::Properties => properties::parse(text, &source, problems),
    };
    let mut raw = RawProperties::build(source, entries, valued_keys, problems);
    provider::resolve(&mut raw, base_dir, problems);
    Some(raw)
}

/// UTF-8, or ISO-8859-1 (what `java.util.Properties.load(InputStream)` assumes) when the
/// bytes are not valid UTF-8.
fn decode(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(FileFormat::of(Path::new("a/p.YML")), Some(FileFormat::Yaml));
        assert_eq!(
            FileFormat::of(Path::new("c.properties")),
            Some(FileFormat::Properties)
        );
        assert_eq!(FileFormat::of(Path::new("c.json")), None);
    }

    #[test]
    fn latin1_properties_files_still_load() {
        assert_eq!(decode(vec![b'a', b'=', 0xe9]), "a=é");
    }

    #[test]
    fn unreadable_and_unknown_files_are_problems() {
        let (raw, problems) = load_raw(Path::new("/nonexistent/p.yaml"), &[]);
        assert!(raw.is_none());
        assert!(
            problems
                .errors()
                .next()
                .unwrap()
                .message
                .contains("cannot read")
        );
        let (raw, problems) = load_raw(Path::new("p.txt"), &[]);
        assert!(raw.is_none() && problems.has_errors());
    }
}
