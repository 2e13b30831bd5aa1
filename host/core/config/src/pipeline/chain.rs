//! The transform chain and its predicates: `transforms=a,b` with `transforms.a.*`
//! groups, `predicates=p` with `predicates.p.*` groups.
//!
//! Each group is split in two: Sluice's own keys (`type`, `predicate`, `negate`,
//! `sandbox.*`), validated here, and everything else, which is the component's
//! configuration and reaches it with the `transforms.<alias>.` prefix removed.

use std::collections::HashMap;
use std::time::Duration;

use crate::def::ConfigDef;
use crate::group::Group;
use crate::origin::Origin;
use crate::parsed::ParsedConfig;
use crate::problem::Problems;
use crate::raw::{RawEntry, RawProperties};
use crate::suggest::did_you_mean;
use crate::validate::{Options, validate};

use super::framework::{predicate_def, transform_def};
use super::keys::{self, component};

/// What one Wasm component instance may use: the one definition, for the pipeline
/// grammar (`transforms.<alias>.sandbox.*`) and the engine alike. The defaults are the
/// declared defaults of `sandbox.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Most linear memory one instance may use, in bytes (`sandbox.memory.max.bytes`,
    /// default 128 MiB); growing beyond it fails the batch.
    pub memory_max_bytes: u64,
    /// Time one batch may spend in the component (`sandbox.cpu.budget.ms`). It is
    /// wall-clock time, enforced with the engine's epoch ticks (a few percent of cost,
    /// unlike fuel, and it stops a spinning guest), so time the host spends elsewhere
    /// while the guest runs counts too.
    pub cpu_budget: Duration,
    /// Let the guest read the real wall and monotonic clocks. Without it, clocks read
    /// a fixed instant, so components stay deterministic and replayable.
    pub allow_clock: bool,
    /// Environment variables handed to the guest (none by default).
    pub env: Vec<(String, String)>,
}

/// One step of the transform chain.
#[derive(Debug, Clone)]
pub struct TransformConfig {
    /// The alias the step is listed under in `transforms`.
    pub alias: String,
    /// `transforms.<alias>.type`: which transform to run.
    pub type_name: String,
    /// Where `type` was set, for problems about the component it names.
    pub type_origin: Origin,
    /// Alias of the predicate that selects the records to transform.
    pub predicate: Option<String>,
    /// Transform the records the predicate does *not* match.
    pub negate: bool,
    /// `transforms.<alias>.sandbox.*`.
    pub sandbox: SandboxLimits,
    /// The component's own configuration, prefix removed.
    pub props: Group,
}

/// A predicate transforms can refer to.
#[derive(Debug, Clone)]
pub struct PredicateConfig {
    /// The alias the predicate is listed under in `predicates`.
    pub alias: String,
    /// `predicates.<alias>.type`: which predicate to evaluate.
    pub type_name: String,
    /// Where `type` was set, for problems about the component it names.
    pub type_origin: Origin,
    /// `predicates.<alias>.sandbox.*`.
    pub sandbox: SandboxLimits,
    /// The component's own configuration, prefix removed.
    pub props: Group,
}

/// A listed alias with its group split into Sluice's keys and the component's.
struct Declared {
    alias: String,
    own: ParsedConfig,
    props: Group,
}

pub(super) fn transforms(
    raw: &RawProperties,
    aliases: &[String],
    predicate_aliases: &[String],
    problems: &mut Problems,
) -> Vec<TransformConfig> {
    let mut out = Vec::new();
    for d in declared(
        raw,
        keys::TRANSFORMS,
        "transform",
        aliases,
        &transform_def(),
        problems,
    ) {
        let predicate =
            Some(d.own.string(component::PREDICATE).to_owned()).filter(|p| !p.is_empty());
        let negate = d.own.boolean(component::NEGATE);
        let key = |k: &str| format!("{}{k}", d.props.prefix());
        let origin = |k: &str| {
            d.own
                .origin(k)
                .cloned()
                .unwrap_or_else(|| raw.source().clone())
        };
        match &predicate {
            Some(p) if !predicate_aliases.contains(p) => {
                let hint = did_you_mean(p, predicate_aliases.iter().map(String::as_str));
                let message = format!(
                    "predicate `{p}` is not listed in `{}`{hint}",
                    keys::PREDICATES
                );
                problems.error(
                    &origin(component::PREDICATE),
                    Some(&key(component::PREDICATE)),
                    message,
                );
            }
            None if negate => problems.warning(
                &origin(component::NEGATE),
                Some(&key(component::NEGATE)),
                "has no effect without a `predicate`",
            ),
            _ => {}
        }
        out.push(TransformConfig {
            type_name: d.own.string(component::TYPE).to_owned(),
            type_origin: origin(component::TYPE),
            sandbox: sandbox(&d.own),
            alias: d.alias,
            predicate,
            negate,
            props: d.props,
        });
    }
    out
}

pub(super) fn predicates(
    raw: &RawProperties,
    aliases: &[String],
    problems: &mut Problems,
) -> Vec<PredicateConfig> {
    declared(
        raw,
        keys::PREDICATES,
        "predicate",
        aliases,
        &predicate_def(),
        problems,
    )
    .into_iter()
    .map(|d| PredicateConfig {
        type_origin: d
            .own
            .origin(component::TYPE)
            .cloned()
            .unwrap_or_else(|| raw.source().clone()),
        type_name: d.own.string(component::TYPE).to_owned(),
        sandbox: sandbox(&d.own),
        alias: d.alias,
        props: d.props,
    })
    .collect()
}

impl Default for SandboxLimits {
    /// The declared defaults of `sandbox.*`, for components that have no such keys
    /// (converters, the flattener).
    fn default() -> Self {
        let [memory, budget] = super::framework::sandbox_properties();
        let number = |p: &crate::def::PropertyDef| -> u64 {
            p.default
                .as_deref()
                .and_then(|d| d.parse().ok())
                .expect("sandbox defaults are numbers")
        };
        SandboxLimits {
            memory_max_bytes: number(&memory),
            cpu_budget: Duration::from_millis(number(&budget)),
            allow_clock: false,
            env: Vec::new(),
        }
    }
}

fn sandbox(own: &ParsedConfig) -> SandboxLimits {
    SandboxLimits {
        // Validated to be positive.
        memory_max_bytes: own.long(component::SANDBOX_MEMORY_MAX_BYTES).unsigned_abs(),
        cpu_budget: Duration::from_millis(
            own.long(component::SANDBOX_CPU_BUDGET_MS).unsigned_abs(),
        ),
        ..SandboxLimits::default()
    }
}

/// Checks the alias list of `head` and the `head.<alias>.*` keys; returns the aliases
/// whose Sluice keys are valid, in list order.
fn declared(
    raw: &RawProperties,
    head: &str,
    noun: &str,
    aliases: &[String],
    def: &ConfigDef,
    problems: &mut Problems,
) -> Vec<Declared> {
    check_alias_list(raw, head, aliases, problems);
    let groups = assign_keys(raw, head, noun, aliases, problems);
    let mut out = Vec::new();
    for alias in unique(aliases) {
        let prefix = format!("{head}.{alias}.");
        // Problems about the group as a whole (a missing `type`) point at the list.
        let group = groups
            .get(alias.as_str())
            .cloned()
            .unwrap_or_else(|| RawProperties::new(list_origin(raw, head)));
        let is_own = |k: &str| def.lookup(k).is_some() || k.starts_with(component::SANDBOX_PREFIX);
        let own_props = group.filter(is_own);
        let component_props = group.filter(|k| !is_own(k));
        let options = Options {
            prefix: &prefix,
            other_names: &[],
        };
        if let Some(own) = validate(def, &own_props, options, problems) {
            out.push(Declared {
                alias: alias.clone(),
                own,
                props: Group::new(prefix, component_props),
            });
        }
    }
    out
}

/// Each alias once; duplicates and empty aliases are reported by [`check_alias_list`].
fn unique(aliases: &[String]) -> Vec<&String> {
    let mut seen = Vec::new();
    for a in aliases {
        if !a.is_empty() && !seen.contains(&a) {
            seen.push(a);
        }
    }
    seen
}

fn check_alias_list(raw: &RawProperties, head: &str, aliases: &[String], problems: &mut Problems) {
    let origin = list_origin(raw, head);
    for (i, alias) in aliases.iter().enumerate() {
        if aliases[..i].contains(alias) {
            problems.error(
                &origin,
                Some(head),
                format!("alias `{alias}` is listed twice"),
            );
        }
    }
}

/// Where `head` itself was set, for problems about the whole list.
fn list_origin(raw: &RawProperties, head: &str) -> Origin {
    raw.get(head)
        .map_or_else(|| raw.source().clone(), |e| e.origin.clone())
}

/// Splits the `head.*` keys by alias (the longest listed alias wins, so aliases may
/// contain dots). Keys of aliases that are not listed are reported, once per alias.
fn assign_keys<'a>(
    raw: &RawProperties,
    head: &str,
    noun: &str,
    aliases: &'a [String],
    problems: &mut Problems,
) -> HashMap<&'a str, RawProperties> {
    let mut groups: HashMap<&str, RawProperties> = HashMap::new();
    let mut reported: Vec<String> = Vec::new();
    let head_dot = format!("{head}.");
    for (key, entry) in raw.iter() {
        let Some(rest) = key.strip_prefix(&head_dot) else {
            continue;
        };
        let owner = aliases
            .iter()
            .filter(|a| {
                rest.strip_prefix(a.as_str())
                    .is_some_and(|r| r.starts_with('.') && r.len() > 1)
            })
            .max_by_key(|a| a.len());
        match owner {
            Some(alias) => {
                let local = &rest[alias.len() + 1..];
                groups
                    .entry(alias.as_str())
                    .or_insert_with(|| RawProperties::new(list_origin(raw, head)))
                    .insert(local.to_owned(), entry.clone());
            }
            None => {
                let guess = rest.split('.').next().unwrap_or(rest).to_owned();
                if !reported.contains(&guess) {
                    report_unlisted(key, entry, head, noun, &guess, aliases, problems);
                    reported.push(guess);
                }
            }
        }
    }
    groups
}

fn report_unlisted(
    key: &str,
    entry: &RawEntry,
    head: &str,
    noun: &str,
    guess: &str,
    aliases: &[String],
    problems: &mut Problems,
) {
    let message = if aliases.iter().any(|a| a == guess) {
        format!("a key is missing after the {noun} alias (e.g. `{head}.{guess}.type`)")
    } else if aliases.is_empty() {
        format!(
            "{noun} `{guess}` is not listed in `{head}` (which is empty): add it there or remove its keys"
        )
    } else {
        let hint = did_you_mean(guess, aliases.iter().map(String::as_str));
        format!(
            "{noun} `{guess}` is not listed in `{head}` (listed: {}){hint}",
            aliases.join(", ")
        )
    };
    problems.error(&entry.origin, Some(key), message);
}
