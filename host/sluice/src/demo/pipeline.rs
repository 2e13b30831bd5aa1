//! The pipelines `sluice demo` and `sluice bench` run, loaded from `config/demo/` with
//! the two addresses that are only known at run time (the Kafka bootstrap servers and
//! the Kinetica URL) replaced.
//!
//! The files are compiled into the binary so that the commands work from any
//! directory; `--pipeline FILE` runs an edited copy instead. Either way they go through
//! the same loader and validation as `sluice validate`, so they stay real examples.

use std::path::{Path, PathBuf};

use sluice_config::pipeline::{PipelineConfig, keys};
use sluice_config::{FileFormat, Origin, RawEntry, RawValue, parse_raw};

/// A pipeline file shipped in `config/demo/`.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    /// Its path in the repository: what problems and logs name.
    pub path: &'static str,
    pub text: &'static str,
}

/// The demo: stock quotes through a Wasm transform into Kinetica.
pub const STOCKS: BuiltIn = BuiltIn {
    path: "config/demo/stocks.yaml",
    text: include_str!("../../../../config/demo/stocks.yaml"),
};

/// The end-to-end benchmark: small schemaless JSON records into Kinetica. Loaded by the
/// tests of every build, run by `sluice bench`.
pub const BENCH: BuiltIn = BuiltIn {
    path: "config/demo/bench.yaml",
    text: include_str!("../../../../config/demo/bench.yaml"),
};

/// The source benchmark: a Kinetica table's rows into Kafka. Run by `sluice bench source`.
pub const BENCH_SOURCE: BuiltIn = BuiltIn {
    path: "config/demo/bench-source.yaml",
    text: include_str!("../../../../config/demo/bench-source.yaml"),
};

/// The way back of `sluice demo --round-trip`: the demo's table into Kafka.
pub const ROUND_TRIP: BuiltIn = BuiltIn {
    path: "config/demo/round-trip.yaml",
    text: include_str!("../../../../config/demo/round-trip.yaml"),
};

/// Where a pipeline comes from.
#[derive(Debug, Clone)]
pub enum Source {
    BuiltIn(BuiltIn),
    File(PathBuf),
}

impl Source {
    /// `file` if given, else the built-in pipeline.
    pub fn or_built_in(file: Option<PathBuf>, built_in: BuiltIn) -> Source {
        file.map_or(Source::BuiltIn(built_in), Source::File)
    }

    fn read(&self) -> anyhow::Result<(String, PathBuf)> {
        match self {
            Source::BuiltIn(b) => Ok((b.text.to_owned(), PathBuf::from(b.path))),
            Source::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                Ok((text, path.clone()))
            }
        }
    }
}

/// The run-time values a demo or benchmark sets, whatever the file says.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub bootstrap_servers: String,
    pub kinetica_url: String,
    /// Any other property (`kinetica.enable_multihead`, `group.id`, …).
    pub extra: Vec<(String, String)>,
    /// Property groups removed from the file before `extra` is set, the head and every
    /// `<head>.*` key: a run that swaps `value.converter` must not keep the properties
    /// of the file's converter, which the other one would reject.
    pub cleared: Vec<String>,
}

/// Loads and validates the pipeline with `overrides` applied. Warnings are logged;
/// errors fail with every problem listed.
pub fn load(source: &Source, overrides: &Overrides) -> anyhow::Result<PipelineConfig> {
    let (text, path) = source.read()?;
    let format = FileFormat::of(&path).unwrap_or(FileFormat::Yaml);
    let origin = Origin::file(&path);
    let base_dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut problems = sluice_config::Problems::new();
    let raw = parse_raw(
        &text,
        format,
        origin,
        &base_dir,
        keys::VALUED_KEYS,
        &mut problems,
    );
    let Some(raw) = raw.filter(|_| !problems.has_errors()) else {
        anyhow::bail!("{} is not a valid pipeline:\n{problems}", path.display());
    };
    let mut raw = raw.filter(|key| {
        !overrides.cleared.iter().any(|head| {
            key.strip_prefix(head.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    });
    // Problems about an overridden value point here rather than at a line of the file.
    let set_by = Origin::file(format!("{} (set by sluice)", path.display()));
    let pairs = [
        (
            keys::BOOTSTRAP_SERVERS,
            overrides.bootstrap_servers.as_str(),
        ),
        ("kinetica.url", overrides.kinetica_url.as_str()),
    ];
    let extra = overrides
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()));
    for (key, value) in pairs.into_iter().chain(extra) {
        raw.insert(
            key.to_owned(),
            RawEntry::new(RawValue::Scalar(value.to_owned()), set_by.clone()),
        );
    }
    let connectors = [
        sluice_kinetica_sink::config::connector_spec(),
        sluice_kinetica_source::connector_spec(),
    ];
    let checked = PipelineConfig::from_raw(&raw, &connectors);
    problems.extend(checked.problems);
    match checked.value {
        Some(config) if !problems.has_errors() => {
            for warning in problems.warnings() {
                tracing::warn!("{warning}");
            }
            Ok(config)
        }
        _ => anyhow::bail!("{} is not a valid pipeline:\n{problems}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides() -> Overrides {
        Overrides {
            bootstrap_servers: "127.0.0.1:39092".into(),
            kinetica_url: "http://127.0.0.1:39191".into(),
            extra: vec![("kinetica.enable_multihead".into(), "false".into())],
            ..Overrides::default()
        }
    }

    #[test]
    fn the_built_in_pipelines_load_with_their_addresses_replaced() {
        for built_in in [STOCKS, BENCH] {
            let config = load(&Source::BuiltIn(built_in), &overrides())
                .unwrap_or_else(|e| panic!("{}: {e:#}", built_in.path));
            assert_eq!(config.bootstrap_servers, ["127.0.0.1:39092"]);
            let settings =
                sluice_kinetica_sink::config::settings(&config.connector.config, &config.framework)
                    .unwrap();
            assert!(
                settings.url.starts_with("http://127.0.0.1:39191"),
                "{}",
                settings.url
            );
            assert!(!settings.enable_multihead);
        }
    }

    #[test]
    fn the_built_in_source_pipelines_load_with_their_addresses_replaced() {
        let mut overrides = overrides();
        overrides.extra.clear();
        for built_in in [BENCH_SOURCE, ROUND_TRIP] {
            let config = load(&Source::BuiltIn(built_in), &overrides)
                .unwrap_or_else(|e| panic!("{}: {e:#}", built_in.path));
            assert_eq!(
                config.connector.name,
                sluice_kinetica_source::CONNECTOR_NAME
            );
            assert_eq!(config.bootstrap_servers, ["127.0.0.1:39092"]);
            assert_eq!(
                config.connector.config.string("kinetica.url"),
                "http://127.0.0.1:39191"
            );
        }
    }

    #[test]
    fn a_bad_override_is_reported_as_set_by_sluice() {
        let mut bad = overrides();
        bad.extra = vec![("kinetica.enable_multihead".into(), "perhaps".into())];
        let e = load(&Source::BuiltIn(STOCKS), &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("(set by sluice)"), "{e}");
        assert!(e.contains("kinetica.enable_multihead"), "{e}");
    }
}
