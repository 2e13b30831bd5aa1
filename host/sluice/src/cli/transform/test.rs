//! `sluice transform test COMPONENT --input RECORDS.jsonl [--config k=v]... [--expect FILE]`
//!
//! A transform or a flattener prints the records it outputs. A predicate changes no
//! record: it prints each input record with its verdict added, `"matches": true` or
//! `false`, so a predicate's golden file reads as the records it selects and those it
//! does not (README.md, where `sluice transform test` is described).

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sluice_engine::{
    FlattenerPlugin, PluginError, PluginErrorKind, PredicatePlugin, SandboxLimits, TransformOutput,
    TransformPlugin, WasmEngine, WorldKind,
};
use sluice_record::Record;

use super::jsonl::{parse_record, render_record};

/// What `sluice transform test` and `bench` both take: a component, records for it and
/// its configuration.
#[derive(Debug, clap::Args)]
pub struct Run {
    /// The transform, flattener or predicate component (.wasm).
    pub component: PathBuf,
    /// Input records, one JSON object per line (`-` for stdin).
    #[arg(long, short)]
    pub input: PathBuf,
    /// A property of the component, as `name=value` (repeatable).
    #[arg(long = "config", short = 'c', value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub config: Vec<(String, String)>,
    /// CPU budget for a batch, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Memory limit of the instance, in MiB.
    #[arg(long, default_value_t = 64)]
    pub memory_mb: usize,
}

/// Arguments of `sluice transform test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: Run,
    /// Expected output records (for a predicate, the input records each with its
    /// `"matches": true|false`); prints a diff and exits 1 if the output differs.
    #[arg(long)]
    expect: Option<PathBuf>,
}

/// A loaded component, ready to run batches.
pub enum Runner {
    /// A transform.
    Transform(sluice_engine::TransformInstance),
    /// A flattener, which rewrites a batch as a transform does.
    Flattener(sluice_engine::FlattenerInstance),
    /// A predicate, which says of each record whether it matches.
    Predicate(sluice_engine::PredicateInstance),
}

/// What a batch gave.
pub enum Output {
    /// A transform's or flattener's records.
    Records(TransformOutput),
    /// A predicate's input records, each with its verdict.
    Verdicts(Vec<(Record, bool)>),
}

impl Runner {
    /// Loads and configures `run.component`: a transform, else a flattener, else a
    /// predicate (the first world it implements).
    pub fn load(run: &Run) -> anyhow::Result<Runner> {
        let engine = WasmEngine::new(WasmEngine::default_cache_dir())?;
        let limits = SandboxLimits {
            memory_max_bytes: (run.memory_mb as u64) << 20,
            cpu_budget: Duration::from_millis(run.timeout_ms),
            ..SandboxLimits::default()
        };
        let config = || run.config.clone();
        let load = |world| engine.load_file(&run.component, world);
        let wrong_world = |e: &PluginError| matches!(e.kind, PluginErrorKind::WrongWorld(_));
        let as_transform = match load(WorldKind::Transform) {
            Ok(loaded) => {
                let plugin = TransformPlugin::new(&engine, loaded, config(), limits.clone())?;
                return Ok(Runner::Transform(plugin.instantiate()?));
            }
            Err(e) if wrong_world(&e) => e,
            Err(e) => return Err(e.into()),
        };
        if let Ok(loaded) = load(WorldKind::Flattener) {
            let plugin = FlattenerPlugin::new(&engine, loaded, config(), limits)?;
            return Ok(Runner::Flattener(plugin.instantiate()?));
        }
        if let Ok(loaded) = load(WorldKind::Predicate) {
            let plugin = PredicatePlugin::new(&engine, loaded, config(), limits)?;
            return Ok(Runner::Predicate(plugin.instantiate()?));
        }
        // Neither: the transform's error says what the component is instead.
        Err(as_transform.into())
    }

    /// Runs one batch.
    pub fn run(&mut self, records: Vec<Record>) -> Result<Output, PluginError> {
        Ok(match self {
            Runner::Transform(t) => Output::Records(t.apply(records)?),
            Runner::Flattener(f) => Output::Records(f.flatten(records)?),
            Runner::Predicate(p) => {
                let verdicts = p.test(&records)?;
                Output::Verdicts(records.into_iter().zip(verdicts).collect())
            }
        })
    }
}

/// The records of `run.input`.
pub fn read_records(run: &Run) -> anyhow::Result<Vec<Record>> {
    read_lines(&run.input)?
        .iter()
        .enumerate()
        .map(|(i, (n, text))| {
            parse_record(text, i).with_context(|| format!("{}: line {n}", run.input.display()))
        })
        .collect()
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got `{s}`"))
}

fn read_lines(path: &PathBuf) -> anyhow::Result<Vec<(usize, String)>> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut lines = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line =
            line.with_context(|| format!("{}: cannot read line {}", path.display(), n + 1))?;
        if !line.trim().is_empty() {
            lines.push((n + 1, line));
        }
    }
    Ok(lines)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let records = read_records(&args.run)?;
    let coordinates: Vec<String> = records.iter().map(|r| r.coordinates()).collect();
    let result = Runner::load(&args.run)?.run(records);
    let output = match result {
        Ok(output) => output,
        Err(e) => {
            if let PluginErrorKind::BadRecord { index, .. } = &e.kind {
                let at = coordinates
                    .get(*index as usize)
                    .map(String::as_str)
                    .unwrap_or("?");
                bail!("record {index} ({at}): {e}");
            }
            return Err(e.into());
        }
    };

    let mut failed = false;
    let rendered: Vec<serde_json::Value> = match &output {
        Output::Records(output) => {
            for (record, reason) in &output.rejected {
                let index = coordinates.iter().position(|c| *c == record.coordinates());
                eprintln!(
                    "rejected: record {} ({}): {reason}",
                    index.map_or("?".to_string(), |i| i.to_string()),
                    record.coordinates()
                );
                failed = true;
            }
            output.records.iter().map(render_record).collect()
        }
        Output::Verdicts(verdicts) => verdicts
            .iter()
            .map(|(record, matches)| {
                let mut line = render_record(record);
                line["matches"] = serde_json::Value::Bool(*matches);
                line
            })
            .collect(),
    };
    let mut out = std::io::stdout().lock();
    match &args.expect {
        None => {
            for r in &rendered {
                writeln!(out, "{r}")?;
            }
        }
        Some(path) => {
            let expected = read_lines(path)?
                .into_iter()
                .map(|(n, text)| {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .with_context(|| format!("{}: line {n} is not JSON", path.display()))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mismatches = diff(&expected, &rendered, &mut out)?;
            if mismatches == 0 {
                writeln!(
                    out,
                    "ok: {} records match {}",
                    rendered.len(),
                    path.display()
                )?;
            } else {
                writeln!(out, "{mismatches} difference(s) from {}", path.display())?;
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes a record-by-record diff and returns the number of differing records.
fn diff(
    expected: &[serde_json::Value],
    actual: &[serde_json::Value],
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let mut mismatches = 0;
    for i in 0..expected.len().max(actual.len()) {
        let (e, a) = (expected.get(i), actual.get(i));
        if e == a {
            continue;
        }
        mismatches += 1;
        writeln!(out, "record {i}:")?;
        match e {
            Some(e) => writeln!(out, "- {e}")?,
            None => writeln!(out, "- (no record expected)")?,
        }
        match a {
            Some(a) => writeln!(out, "+ {a}")?,
            None => writeln!(out, "+ (no record produced)")?,
        }
    }
    Ok(mismatches)
}
