//! `sluice transform test COMPONENT --input RECORDS.jsonl [--config k=v]... [--expect FILE]`

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sluice_engine::{
    FlattenerPlugin, PluginErrorKind, SandboxLimits, TransformPlugin, WasmEngine, WorldKind,
};

use super::jsonl::{parse_record, render_record};

/// Arguments of `sluice transform test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The transform or flattener component (.wasm).
    component: PathBuf,
    /// Input records, one JSON object per line (`-` for stdin).
    #[arg(long, short)]
    input: PathBuf,
    /// A property of the component, as `name=value` (repeatable).
    #[arg(long = "config", short = 'c', value_name = "NAME=VALUE", value_parser = parse_pair)]
    config: Vec<(String, String)>,
    /// Expected output records; prints a diff and exits 1 if the output differs.
    #[arg(long)]
    expect: Option<PathBuf>,
    /// CPU budget for the batch, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
    /// Memory limit of the instance, in MiB.
    #[arg(long, default_value_t = 64)]
    memory_mb: usize,
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
    let lines = read_lines(&args.input)?;
    let records = lines
        .iter()
        .enumerate()
        .map(|(i, (n, text))| {
            parse_record(text, i).with_context(|| format!("{}: line {n}", args.input.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let coordinates: Vec<String> = records.iter().map(|r| r.coordinates()).collect();

    let engine = WasmEngine::new(WasmEngine::default_cache_dir())?;
    let limits = SandboxLimits {
        memory_max_bytes: (args.memory_mb as u64) << 20,
        cpu_budget: Duration::from_millis(args.timeout_ms),
        ..SandboxLimits::default()
    };
    // A flattener rewrites a batch as a transform does, so it is tested the same way.
    let result = match engine.load_file(&args.component, WorldKind::Transform) {
        Ok(loaded) => TransformPlugin::new(&engine, loaded, args.config.clone(), limits)?
            .instantiate()?
            .apply(records),
        Err(e) if matches!(e.kind, PluginErrorKind::WrongWorld(_)) => {
            let Ok(loaded) = engine.load_file(&args.component, WorldKind::Flattener) else {
                return Err(e.into());
            };
            FlattenerPlugin::new(&engine, loaded, args.config.clone(), limits)?
                .instantiate()?
                .flatten(records)
        }
        Err(e) => return Err(e.into()),
    };
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
    for (record, reason) in &output.rejected {
        let index = coordinates.iter().position(|c| *c == record.coordinates());
        eprintln!(
            "rejected: record {} ({}): {reason}",
            index.map_or("?".to_string(), |i| i.to_string()),
            record.coordinates()
        );
        failed = true;
    }
    let rendered: Vec<serde_json::Value> = output.records.iter().map(render_record).collect();
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
