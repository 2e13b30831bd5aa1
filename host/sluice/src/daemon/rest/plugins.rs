//! `/connector-plugins…`: what this daemon can run (connectors, and with
//! `connectorsOnly=false` its transforms, predicates and converters), each plugin's
//! properties, and Connect's `validate` call (ConfigInfos).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};
use sluice_config::pipeline::{keys, pipeline_def};
use sluice_config::{ConfigDef, ConnectorSpec, Importance, PropertyDef};
use sluice_engine::WorldKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::body::{Body, config_map, query_flag, query_values};
use super::openapi::{ConfigBody, ErrorBody};
use super::{Api, ApiError, blocking};
use crate::daemon::worker::WorkerError;
use crate::reach::Reach;

pub fn routes() -> OpenApiRouter<Arc<Api>> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(plugin_config))
        .routes(routes!(validate))
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn plugin(class: &str, kind: &str) -> Value {
    json!({"class": class, "type": kind, "version": VERSION})
}

/// A connector's Kafka Connect class when it has one (what Connect tools expect),
/// else its Sluice name.
fn connector_class(spec: &ConnectorSpec) -> &'static str {
    spec.class_names.first().copied().unwrap_or(spec.name)
}

/// The world a bundled component implements, read from its exports.
fn world_of(bytes: &[u8]) -> Option<WorldKind> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::ComponentExportSection(section)) = payload {
            for export in section.into_iter().flatten() {
                names.push(export.name.name.to_owned());
            }
        }
    }
    [
        WorldKind::Transform,
        WorldKind::Predicate,
        WorldKind::Converter,
        WorldKind::Flattener,
    ]
    .into_iter()
    .find(|w| {
        names
            .iter()
            .any(|n| n.starts_with(&format!("sluice:plugin/{}@", w.interface())))
    })
}

/// `GET /connector-plugins[?connectorsOnly=false]`, in Connect's order: sinks, sources,
/// transformations, predicates, converters.
#[utoipa::path(get, path = "/connector-plugins", tag = "plugins", params(("connectorsOnly" = Option<bool>, Query)), responses((status = 200, description = "Plugins")))]
async fn list(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Json<Value> {
    let connectors_only = query_values(query.as_deref(), "connectorsOnly")
        .last()
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let registry = &api.worker.options().registry;
    let specs = registry.connector_specs();
    let mut out = Vec::new();
    for kind in [
        sluice_config::ConnectorKind::Sink,
        sluice_config::ConnectorKind::Source,
    ] {
        for spec in specs.iter().filter(|s| s.kind == kind) {
            let name = match kind {
                sluice_config::ConnectorKind::Sink => "sink",
                sluice_config::ConnectorKind::Source => "source",
            };
            out.push(plugin(connector_class(spec), name));
        }
    }
    if connectors_only {
        return Json(json!(out));
    }
    let bundled: Vec<(&str, Option<WorldKind>)> = registry
        .bundled()
        .iter()
        .map(|(name, bytes)| (*name, world_of(bytes)))
        .collect();
    let world = |component: &str| {
        bundled
            .iter()
            .find(|(n, _)| n.replace('_', "-") == component)
            .and_then(|(_, w)| *w)
    };
    let classes = sluice_runtime::connect_classes();
    for (kind, label) in [
        (WorldKind::Transform, "transformation"),
        (WorldKind::Predicate, "predicate"),
    ] {
        for (class, component) in &classes {
            if world(component) == Some(kind) {
                out.push(plugin(class, label));
            }
        }
        for (name, w) in &bundled {
            if *w == Some(kind) {
                out.push(plugin(&name.replace('_', "-"), label));
            }
        }
    }
    for spec in registry.converters() {
        for name in spec.names {
            out.push(plugin(name, "converter"));
        }
    }
    Json(json!(out))
}

fn type_name(def: &PropertyDef) -> String {
    def.ty.to_string().to_ascii_uppercase()
}

fn importance(def: &PropertyDef) -> &'static str {
    match def.importance {
        Importance::High => "HIGH",
        Importance::Medium => "MEDIUM",
        Importance::Low => "LOW",
    }
}

/// A property as Connect's `ConfigKeyInfo`.
fn key_info(def: &PropertyDef, order: usize) -> Value {
    json!({
        "name": def.name,
        "type": type_name(def),
        "required": def.required,
        "default_value": if def.required { None } else { def.default.as_deref() },
        "importance": importance(def),
        "documentation": def.doc,
        "group": if def.group.is_empty() { None } else { Some(&*def.group) },
        "width": "NONE",
        "display_name": def.display_name,
        "dependents": def.dependents.iter().collect::<Vec<_>>(),
        "order": def.order.map_or(order as i64 + 1, i64::from),
    })
}

/// The definitions a plugin name selects: a connector's own and the pipeline's, or a
/// converter's.
fn definitions(api: &Api, plugin: &str) -> Option<Vec<ConfigDef>> {
    let registry = &api.worker.options().registry;
    if let Some(spec) = registry
        .connector_specs()
        .iter()
        .find(|s| s.matches(plugin) || connector_class(s).rsplit('.').next() == Some(plugin))
    {
        return Some(vec![(spec.config_def)(), pipeline_def()]);
    }
    registry
        .converter(plugin)
        .map(|spec| vec![(spec.config_def)()])
}

/// `GET /connector-plugins/{plugin}/config`: its properties (`ConfigKeyInfo`s).
#[utoipa::path(get, path = "/connector-plugins/{plugin}/config", tag = "plugins", params(("plugin" = String, Path)), responses((status = 200, description = "Its properties"), (status = 404, body = ErrorBody)))]
async fn plugin_config(
    State(api): State<Arc<Api>>,
    Path(plugin): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let defs = definitions(&api, &plugin)
        .ok_or_else(|| ApiError::not_found(format!("Unknown plugin {plugin}.")))?;
    let mut seen = BTreeSet::new();
    let keys: Vec<Value> = defs
        .iter()
        .flat_map(|d| d.properties.iter())
        .filter(|p| seen.insert(p.name.to_string()))
        .enumerate()
        .map(|(i, p)| key_info(p, i))
        .collect();
    Ok(Json(json!(keys)))
}

/// `PUT /connector-plugins/{plugin}/config/validate[?connect=true]`: Connect's
/// ConfigInfos for the given configuration, 200 even when it has errors. The checks are
/// `sluice validate`'s: the pipeline's and the connector's properties, and every
/// transform, predicate and converter group against what its component declares; with
/// `connect=true` (Sluice's extension, `sluice validate --connect`) a configuration that
/// passes them is also tried against Kafka, Kinetica and the Schema Registry, and a
/// system that does not answer is an error on the property that names it.
#[utoipa::path(put, path = "/connector-plugins/{plugin}/config/validate", tag = "plugins", params(("plugin" = String, Path), ("connect" = Option<bool>, Query, description = "Sluice's extension: also contact Kafka, Kinetica and the Schema Registry with the configuration's settings; one that does not answer is an error on `bootstrap.servers`, `kinetica.url` or `<key|value>.converter.schema.registry.url`")), request_body = ConfigBody, responses((status = 200, description = "ConfigInfos"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn validate(
    State(api): State<Arc<Api>>,
    Path(plugin): Path<String>,
    RawQuery(query): RawQuery,
    Body(body): Body<serde_json::Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    let connect = query_flag(query.as_deref(), "connect")?;
    let (config, _) = config_map(body, false)?;
    let class = config.get(keys::CONNECTOR_CLASS).cloned().ok_or_else(|| {
        ApiError::bad_request("Connector config contains no connector type (`connector.class`)")
    })?;
    let defs = definitions(&api, &plugin)
        .ok_or_else(|| ApiError::not_found(format!("Unknown plugin {plugin}.")))?;
    let name = config.get(keys::NAME).cloned().unwrap_or_default();
    let worker = api.worker.clone();
    let checked = config.clone();
    let problems = blocking(move || {
        Ok(match worker.check(&name, &checked, None) {
            // As `sluice validate --connect`: only a configuration that checks is tried.
            Ok(pipeline) if connect => crate::reach::check(&pipeline)
                .iter()
                .filter_map(Reach::problem)
                .collect(),
            Ok(_) => Vec::new(),
            Err(WorkerError::Invalid { problems, .. }) => {
                problems.lines().map(str::to_owned).collect()
            }
            Err(e) => vec![e.to_string()],
        })
    })
    .await?;
    // Each problem goes to the property it names (`… `transforms.mask.fields`: …`);
    // the others to the connector as a whole (`name`).
    let about = |key: &str| {
        let quoted = format!("`{key}`:");
        problems
            .iter()
            .filter(|p| p.contains(&quoted))
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut seen = BTreeSet::new();
    let mut groups = BTreeSet::new();
    let mut configs = Vec::new();
    let mut counted = 0;
    for (i, def) in defs
        .iter()
        .flat_map(|d| d.properties.iter())
        .filter(|p| seen.insert(p.name.to_string()))
        .enumerate()
    {
        if !def.group.is_empty() {
            groups.insert(def.group.to_string());
        }
        let errors = about(&def.name);
        counted += errors.len();
        let value = config.get(&*def.name).map(|v| {
            if def.is_secret() {
                "[hidden]".to_owned()
            } else {
                v.clone()
            }
        });
        configs.push(json!({
            "definition": key_info(def, i),
            "value": {
                "name": def.name,
                "value": value,
                "recommended_values": def.recommended.iter().collect::<Vec<_>>(),
                "errors": errors,
                "visible": true,
            },
        }));
    }
    // Component groups (`transforms.<alias>.*`, converters) have no fixed definition
    // here: each given key with a problem is listed on its own.
    for (key, value) in &config {
        if seen.contains(key.as_str()) {
            continue;
        }
        let errors = about(key);
        if errors.is_empty() {
            continue;
        }
        counted += errors.len();
        configs.push(json!({
            "definition": null,
            "value": {"name": key, "value": value, "recommended_values": [], "errors": errors, "visible": true},
        }));
    }
    // What names no property still counts, on the configuration as a whole.
    let unplaced: Vec<&String> = problems
        .iter()
        .filter(|p| {
            !seen.iter().any(|k| p.contains(&format!("`{k}`:")))
                && !config.keys().any(|k| p.contains(&format!("`{k}`:")))
        })
        .collect();
    if !unplaced.is_empty() {
        counted += unplaced.len();
        configs.push(json!({
            "definition": null,
            "value": {"name": "", "value": null, "recommended_values": [], "errors": unplaced, "visible": true},
        }));
    }
    Ok(Json(json!({
        "name": class,
        "error_count": counted,
        "groups": groups,
        "configs": configs,
    })))
}
