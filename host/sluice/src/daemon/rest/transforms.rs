//! `/connectors/{name}/transforms…`: a pipeline's transforms as they run, and hot swaps
//! of their code while data flows (`PUT …/transforms/{alias}`, `POST …/rollback`).
//!
//! A new component is loaded and configured off the hot path, staged in every task,
//! and answered for once each task ran a batch through it — or, if a first batch
//! failed anywhere, once every task is back on the old version (the answer says why).
//! Records are processed exactly once either way (`sluice_runtime::TransformSwap`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use serde_json::{Value, json};
use sluice_runtime::{DeployError, Deployed, Deployment, TransformSwap, TransformVersion};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::body::{config_map, query_values};
use super::openapi::{ConnectorName, ErrorBody};
use super::{Api, ApiError, blocking};

pub fn routes() -> OpenApiRouter<Arc<Api>> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(deploy))
        .routes(routes!(rollback))
}

/// How long a swap waits for every task's first batch on the new version by default.
const DEFAULT_WAIT: Duration = Duration::from_secs(30);

fn millis(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// `[{"topic", "partition", "offset"}]`.
fn offsets_json(offsets: &[(String, i32, i64)]) -> Value {
    offsets
        .iter()
        .map(|(topic, partition, offset)| {
            json!({"topic": topic, "partition": partition, "offset": offset})
        })
        .collect()
}

fn version_json(v: &TransformVersion) -> Value {
    json!({
        "component": v.component(),
        "digest": v.digest,
        "loaded_at": millis(v.loaded_at),
        "memory_max_bytes": v.limits().memory_max_bytes,
        "cpu_budget_ms": v.limits().cpu_budget.as_millis() as u64,
        // What shows a swapped-in version ran here (null for the version the
        // pipeline started with): the tasks that ran a batch on it, and where.
        "runs": v.runs.as_ref().map(|r| json!({
            "tasks": r.tasks,
            "first_offsets": offsets_json(&r.first_offsets),
        })),
    })
}

/// The running pipeline's swap of `alias`.
fn swap_of(api: &Api, name: &str, alias: &str) -> Result<TransformSwap, ApiError> {
    let swap = api
        .worker
        .with_pipeline(name, |p| p.map(|p| p.swap_handles().get(alias).cloned()))?;
    match swap {
        None => Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("Connector {name} is not running: resume it before swapping its transforms"),
        )),
        Some(None) => Err(ApiError::not_found(format!(
            "Connector {name} has no transform `{alias}`"
        ))),
        Some(Some(swap)) => Ok(swap),
    }
}

/// `GET …/transforms`: each transform in chain order with the version it runs.
#[utoipa::path(get, path = "/connectors/{name}/transforms", tag = "transforms", params(ConnectorName), responses((status = 200, description = "Transforms and their versions"), (status = 404, body = ErrorBody)))]
async fn list(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let listed = api.worker.with_pipeline(&name, |p| {
        p.map(|p| {
            let steps = p.metrics().steps();
            p.swap_handles()
                .values()
                .map(|swap| {
                    let mut entry = version_json(&swap.current());
                    let step = steps.get(swap.alias()).cloned().unwrap_or_default();
                    entry["records"] = json!(step.records);
                    entry["errors"] = json!(step.errors);
                    entry["batches"] = json!(step.latency.count);
                    entry["memory_peak_bytes"] = json!(step.memory_peak);
                    entry["slowest_batch_ms"] = json!(step.slowest.as_secs_f64() * 1e3);
                    entry["alias"] = json!(swap.alias());
                    entry["world"] = json!("transform");
                    entry["tasks"] = json!(swap.task_handles().len());
                    entry["previous_digest"] = json!(swap.previous().map(|v| v.digest));
                    let (swaps, rollbacks) = swap.swap_counts();
                    entry["swaps"] = json!(swaps);
                    entry["rollbacks"] = json!(rollbacks);
                    entry
                })
                .collect::<Vec<_>>()
        })
    })?;
    Ok(Json(json!(listed.unwrap_or_default())))
}

/// `PUT …/transforms/{alias}`'s JSON body (what the OpenAPI document shows; the
/// handler reads it as it comes, in [`component_of`]).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct DeployRequest {
    /// The component's path on the daemon's host.
    file: Option<String>,
    /// Or the component itself, base64.
    wasm: Option<String>,
    /// Its SHA-256, checked when given.
    sha256: Option<String>,
    /// New properties; none: the running version's.
    config: Option<std::collections::HashMap<String, String>>,
}

/// A component's properties, `(key, value)` in order.
type Properties = Vec<(String, String)>;

/// Refuses `bytes` (`what`, for the message) unless their SHA-256 is `expected`.
fn check_digest(bytes: &[u8], what: &str, expected: Option<&str>) -> Result<(), ApiError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let actual = sluice_engine::digest(bytes);
    if actual.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} has SHA-256 {actual}, not the {expected} the request names"
        )))
    }
}

/// A deploy's component and properties: an `application/wasm` body, or JSON with the
/// component as a file on the daemon's host or inline (`{"file": …}` or
/// `{"wasm": <base64>}`, optionally `"config": {…}`). Its SHA-256 is checked against
/// the JSON's `"sha256"`, else the `?sha256=` query parameter, when either is given
/// (an `application/wasm` body has only the parameter).
fn component_of(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Result<(Vec<u8>, Option<Properties>), ApiError> {
    let in_query = query_values(query, "sha256").pop();
    let wasm = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/wasm"));
    if wasm {
        check_digest(body, "the `application/wasm` body", in_query.as_deref())?;
        return Ok((body.to_vec(), None));
    }
    let request: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "send the component as `application/wasm`, or JSON {{\"file\": …, \"sha256\": …}}: {e}"
        ))
    })?;
    let (bytes, file) = match (request["file"].as_str(), request["wasm"].as_str()) {
        (Some(file), None) => (
            std::fs::read(file)
                .map_err(|e| ApiError::bad_request(format!("cannot read `file` {file}: {e}")))?,
            file.to_owned(),
        ),
        (None, Some(encoded)) => (
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| ApiError::bad_request(format!("`wasm` is not base64: {e}")))?,
            "the `wasm` component".to_owned(),
        ),
        _ => {
            return Err(ApiError::bad_request(
                "name the component with `file` (a path on the daemon's host) or send it as \
                 `wasm` (base64), not both",
            ));
        }
    };
    let expected = request["sha256"].as_str().or(in_query.as_deref());
    check_digest(&bytes, &file, expected)?;
    let properties = match &request["config"] {
        Value::Null => None,
        Value::Object(map) => Some(config_map(map.clone(), false)?.0.into_iter().collect()),
        _ => {
            return Err(ApiError::bad_request(
                "`config` must be an object of properties",
            ));
        }
    };
    Ok((bytes, properties))
}

/// Hands a swap that took here to the other daemons running the pipeline.
async fn share(api: &Arc<Api>, name: &str, alias: &str) -> Result<(), ApiError> {
    let (worker, name, alias) = (api.worker.clone(), name.to_owned(), alias.to_owned());
    blocking(move || {
        worker.share_swap(&name, &alias).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "the swap runs on this daemon, but {e}; the others still run the old version"
                ),
            )
        })
    })
    .await
}

fn wait_of(query: Option<&str>) -> Result<Duration, ApiError> {
    match query_values(query, "wait_ms").last() {
        None => Ok(DEFAULT_WAIT),
        Some(ms) => ms.parse().map(Duration::from_millis).map_err(|_| {
            ApiError::bad_request(format!("`wait_ms` must be milliseconds, not `{ms}`"))
        }),
    }
}

fn answer(
    alias: &str,
    old: &TransformVersion,
    outcome: Result<Deployment, DeployError>,
    swap: &TransformSwap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match outcome {
        Ok(deployed) => {
            let first = offsets_json(&deployed.first_offsets);
            let (status, state) = match deployed.state {
                Deployed::Running => (StatusCode::OK, "RUNNING"),
                Deployed::Staged => (StatusCode::ACCEPTED, "STAGED"),
            };
            let new = swap.current();
            Ok((
                status,
                Json(json!({
                    "alias": alias,
                    "state": state,
                    "old_digest": old.digest,
                    "new_digest": new.digest,
                    "first_offsets": first,
                    "new": version_json(&new),
                })),
            ))
        }
        Err(e @ DeployError::Busy(_)) => Err(ApiError::new(StatusCode::CONFLICT, e.to_string())),
        Err(e @ DeployError::NoPrevious(_)) => {
            Err(ApiError::new(StatusCode::CONFLICT, e.to_string()))
        }
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    }
}

/// `PUT …/transforms/{alias}[?wait_ms=&sha256=]`: 200 once every task runs the new
/// version, 202 when some task had no batch yet (it picks it up at its next), 400 with
/// the reason when it was refused or rolled back.
#[utoipa::path(put, path = "/connectors/{name}/transforms/{alias}", tag = "transforms", params(ConnectorName, ("alias" = String, Path), ("wait_ms" = Option<u64>, Query), ("sha256" = Option<String>, Query, description = "The component's SHA-256, checked when given")), request_body(content((DeployRequest = "application/json"), (Vec<u8> = "application/wasm"))), responses((status = 200, description = "Every task runs it"), (status = 202, description = "Staged"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn deploy(
    State(api): State<Arc<Api>>,
    Path((name, alias)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let wait = wait_of(query.as_deref())?;
    let (bytes, properties) = component_of(&headers, query.as_deref(), &body)?;
    let swap = swap_of(&api, &name, &alias)?;
    let engine = api.worker.engine().clone();
    let old = swap.current();
    let staged = swap.clone();
    let outcome = blocking(move || Ok(staged.deploy(&engine, &bytes, properties, wait))).await?;
    if outcome.is_ok() {
        share(&api, &name, &alias).await?;
    }
    tracing::info!(pipeline = %name, transform = %alias, ok = outcome.is_ok(), "transform deploy");
    answer(&alias, &old, outcome, &swap)
}

/// `POST …/transforms/{alias}/rollback`: back to the version before the last swap.
#[utoipa::path(post, path = "/connectors/{name}/transforms/{alias}/rollback", tag = "transforms", params(ConnectorName, ("alias" = String, Path), ("wait_ms" = Option<u64>, Query)), responses((status = 200, description = "Rolled back"), (status = 202, description = "Staged"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn rollback(
    State(api): State<Arc<Api>>,
    Path((name, alias)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let wait = wait_of(query.as_deref())?;
    let swap = swap_of(&api, &name, &alias)?;
    let old = swap.current();
    let staged = swap.clone();
    let outcome = blocking(move || Ok(staged.rollback(wait))).await?;
    if outcome.is_ok() {
        share(&api, &name, &alias).await?;
    }
    answer(&alias, &old, outcome, &swap)
}
