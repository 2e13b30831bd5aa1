//! `/connectors/…`: create, read, reconfigure, pause, resume, stop, restart and delete
//! pipelines, their tasks, topics and offsets, with Kafka Connect's status codes and
//! bodies, as its standalone herder answers (`host/sluice/tests/rest.rs` holds us to
//! them).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::body::{Body, config_map, query_flag, query_values};
use super::openapi::{ConfigBody, ConnectorName, ErrorBody, OffsetsBody};
use super::{Api, ApiError, blocking};
use crate::daemon::offsets;
use crate::daemon::worker::{ConnectorConfig, TargetState, WorkerError};

pub fn routes() -> OpenApiRouter<Arc<Api>> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(info, delete))
        .routes(routes!(config, put_config, patch_config))
        .routes(routes!(status))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(stop))
        .routes(routes!(restart))
        .routes(routes!(tasks))
        .routes(routes!(task_status))
        .routes(routes!(restart_task))
        .routes(routes!(topics))
        .routes(routes!(get_offsets, alter_offsets, reset_offsets))
}

type Api_ = State<Arc<Api>>;

/// `GET /connectors[?expand=status&expand=info]`.
#[utoipa::path(get, path = "/connectors", tag = "connectors",
    params(("expand" = Option<Vec<String>>, Query, explode, description = "`status` and/or `info`, repeated")),
    responses((status = 200, description = "Names, or with `expand` a map of name to status and info")))]
async fn list(State(api): Api_, RawQuery(query): RawQuery) -> Json<Value> {
    let expand = query_values(query.as_deref(), "expand");
    let names = api.worker.names();
    if expand.is_empty() {
        return Json(json!(names));
    }
    let mut out = serde_json::Map::new();
    for name in names {
        let mut entry = serde_json::Map::new();
        if expand.iter().any(|e| e == "status")
            && let Ok(s) = api.worker.status(&name)
        {
            entry.insert("status".into(), json!(s));
        }
        if expand.iter().any(|e| e == "info")
            && let Ok(i) = api.worker.info(&name)
        {
            entry.insert("info".into(), json!(i));
        }
        out.insert(name, Value::Object(entry));
    }
    Json(Value::Object(out))
}

/// `POST /connectors`'s body.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    name: Option<String>,
    /// The connector's properties.
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    config: Option<serde_json::Map<String, Value>>,
    /// `RUNNING` (the default), `PAUSED` or `STOPPED`.
    #[schema(value_type = Option<String>)]
    initial_state: Option<InitialState>,
}

/// `initial_state`, case-insensitive as Connect reads it.
#[derive(serde::Deserialize)]
#[serde(try_from = "String")]
struct InitialState(TargetState);

impl TryFrom<String> for InitialState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "RUNNING" => Ok(InitialState(TargetState::Running)),
            "PAUSED" => Ok(InitialState(TargetState::Paused)),
            "STOPPED" => Ok(InitialState(TargetState::Stopped)),
            _ => Err(format!(
                "initial_state must be RUNNING, PAUSED or STOPPED, not `{s}`"
            )),
        }
    }
}

/// The config with `name` in it, or Connect's mismatch message.
fn named(name: &str, mut config: ConnectorConfig) -> Result<ConnectorConfig, ApiError> {
    match config.get("name") {
        Some(given) if given != name => Err(ApiError::bad_request(format!(
            "Connector name configuration ({given}) doesn't match connector name in the URL ({name})"
        ))),
        _ => {
            config.insert("name".into(), name.to_owned());
            Ok(config)
        }
    }
}

fn created(name: &str, body: impl serde::Serialize) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/connectors/{name}"))],
        Json(json!(body)),
    )
        .into_response()
}

/// `POST /connectors`: 201 with the new connector and its `Location`.
#[utoipa::path(post, path = "/connectors", tag = "connectors", request_body = CreateRequest,
    responses((status = 201, description = "Created; `Location` names it"),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create(
    State(api): Api_,
    Body(request): Body<CreateRequest>,
) -> Result<Response, ApiError> {
    let name = request.name.unwrap_or_default().trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "Connector name must be specified (`name`)",
        ));
    }
    let Some(config) = request.config else {
        return Err(ApiError::bad_request(
            "`config` is missing: the connector's properties",
        ));
    };
    let (config, _) = config_map(config, false)?;
    let config = named(&name, config)?;
    let target = request.initial_state.map_or(TargetState::Running, |s| s.0);
    let worker = api.worker.clone();
    let key = name.clone();
    let info = blocking(move || Ok(worker.create(&key, config, target)?)).await?;
    Ok(created(&name, info))
}

#[utoipa::path(get, path = "/connectors/{name}", tag = "connectors", params(ConnectorName),
    responses((status = 200, description = "The connector"), (status = 404, body = ErrorBody)))]
async fn info(State(api): Api_, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(api.worker.info(&name)?)))
}

#[utoipa::path(get, path = "/connectors/{name}/config", tag = "connectors", params(ConnectorName),
    responses((status = 200, body = ConfigBody), (status = 404, body = ErrorBody)))]
async fn config(State(api): Api_, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(api.worker.config(&name)?)))
}

/// `PUT /connectors/{name}/config`: 201 when it creates, 200 when it updates.
#[utoipa::path(put, path = "/connectors/{name}/config", tag = "connectors", params(ConnectorName),
    request_body = ConfigBody,
    responses((status = 200, description = "Replaced"), (status = 201, description = "Created"),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn put_config(
    State(api): Api_,
    Path(name): Path<String>,
    Body(body): Body<serde_json::Map<String, Value>>,
) -> Result<Response, ApiError> {
    let (config, _) = config_map(body, false)?;
    let config = named(&name, config)?;
    let worker = api.worker.clone();
    let key = name.clone();
    let was_created = blocking(move || Ok(worker.put_config(&key, config)?)).await?;
    let info = api.worker.info(&name)?;
    Ok(if was_created {
        created(&name, info)
    } else {
        Json(json!(info)).into_response()
    })
}

/// `PATCH /connectors/{name}/config`: merges (a `null` removes the key); 200.
#[utoipa::path(patch, path = "/connectors/{name}/config", tag = "connectors", params(ConnectorName),
    request_body = ConfigBody,
    responses((status = 200, description = "Merged"), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn patch_config(
    State(api): Api_,
    Path(name): Path<String>,
    Body(body): Body<serde_json::Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    let (patch, removed) = config_map(body, true)?;
    let mut config = api.worker.config(&name)?;
    config.extend(patch);
    for key in removed {
        config.remove(&key);
    }
    let worker = api.worker.clone();
    let key = name.clone();
    blocking(move || Ok(worker.put_config(&key, config)?)).await?;
    Ok(Json(json!(api.worker.info(&name)?)))
}

#[utoipa::path(get, path = "/connectors/{name}/status", tag = "connectors", params(ConnectorName),
    responses((status = 200, description = "Connector and task states"), (status = 404, body = ErrorBody)))]
async fn status(State(api): Api_, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let status = api.worker.status(&name).map_err(|e| match e {
        WorkerError::NotFound(_) => {
            ApiError::not_found(format!("No status found for connector {name}"))
        }
        other => other.into(),
    })?;
    Ok(Json(json!(status)))
}

/// Runs a state change on a blocking thread; `unknown` words the 404 as Connect does
/// for that call.
async fn change(
    api: &Api,
    name: String,
    unknown: fn(&str) -> String,
    f: impl FnOnce(&crate::daemon::worker::Worker, &str) -> Result<(), WorkerError> + Send + 'static,
) -> Result<(), ApiError> {
    let worker = api.worker.clone();
    blocking(move || {
        f(&worker, &name).map_err(|e| match e {
            WorkerError::NotFound(n) => ApiError::not_found(unknown(&n)),
            other => other.into(),
        })
    })
    .await
}

fn unknown_connector(name: &str) -> String {
    format!("Unknown connector {name}")
}

fn connector_not_found(name: &str) -> String {
    format!("Connector {name} not found")
}

/// `PUT …/pause`: 202.
#[utoipa::path(put, path = "/connectors/{name}/pause", tag = "connectors", params(ConnectorName),
    responses((status = 202, description = "Pausing"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn pause(State(api): Api_, Path(name): Path<String>) -> Result<StatusCode, ApiError> {
    change(&api, name, unknown_connector, |w, n| w.pause(n)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT …/resume`: 202; a stopped connector starts again.
#[utoipa::path(put, path = "/connectors/{name}/resume", tag = "connectors", params(ConnectorName),
    responses((status = 202, description = "Resuming"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn resume(State(api): Api_, Path(name): Path<String>) -> Result<StatusCode, ApiError> {
    change(&api, name, unknown_connector, |w, n| w.resume(n)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT …/stop`: 204, once the tasks have finished their batches in flight.
#[utoipa::path(put, path = "/connectors/{name}/stop", tag = "connectors", params(ConnectorName),
    responses((status = 204, description = "Stopped"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn stop(State(api): Api_, Path(name): Path<String>) -> Result<StatusCode, ApiError> {
    change(&api, name, unknown_connector, |w, n| w.stop(n)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/restart[?includeTasks=&onlyFailed=]`: 204 plain; 202 with the status as
/// planned (what restarts is RESTARTING) when either parameter is given.
#[utoipa::path(post, path = "/connectors/{name}/restart", tag = "connectors",
    params(ConnectorName, ("includeTasks" = Option<bool>, Query), ("onlyFailed" = Option<bool>, Query)),
    responses((status = 202, description = "Restarting, with the planned status"), (status = 204, description = "Restarted"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restart(
    State(api): Api_,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let include_tasks = query_flag(query.as_deref(), "includeTasks")?;
    let only_failed = query_flag(query.as_deref(), "onlyFailed")?;
    let mut planned = api.worker.status(&name).map_err(|e| match e {
        WorkerError::NotFound(n) => ApiError::not_found(format!("Unknown connector: {n}")),
        other => other.into(),
    })?;
    let failed = planned.connector.state == "FAILED";
    let restarts = !only_failed || failed;
    let worker = api.worker.clone();
    let key = name.clone();
    blocking(move || Ok(worker.restart(&key, only_failed)?)).await?;
    if !include_tasks && !only_failed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    if restarts {
        planned.connector.state = "RESTARTING";
        if include_tasks {
            for t in &mut planned.tasks {
                t.state = "RESTARTING";
            }
        }
    }
    Ok((StatusCode::ACCEPTED, Json(json!(planned))).into_response())
}

/// `DELETE /connectors/{name}`: 204.
#[utoipa::path(delete, path = "/connectors/{name}", tag = "connectors", params(ConnectorName),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(State(api): Api_, Path(name): Path<String>) -> Result<StatusCode, ApiError> {
    change(&api, name, connector_not_found, |w, n| w.delete(n)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/tasks`: each task's id and the pipeline's configuration (a pipeline's tasks
/// all run it).
#[utoipa::path(get, path = "/connectors/{name}/tasks", tag = "connectors", params(ConnectorName),
    responses((status = 200, description = "Tasks and their configuration"), (status = 404, body = ErrorBody)))]
async fn tasks(State(api): Api_, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let info = api.worker.info(&name)?;
    let tasks: Vec<Value> = info
        .tasks
        .iter()
        .map(|id| json!({"id": id, "config": info.config}))
        .collect();
    Ok(Json(json!(tasks)))
}

#[utoipa::path(get, path = "/connectors/{name}/tasks/{task}/status", tag = "connectors",
    params(ConnectorName, ("task" = String, Path, description = "The task's number")),
    responses((status = 200, description = "The task's state"), (status = 404, body = ErrorBody)))]
async fn task_status(
    State(api): Api_,
    Path((name, task)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let missing = || ApiError::not_found(format!("No status found for task {name}-{task}"));
    let id: u32 = task.parse().map_err(|_| missing())?;
    let status = api.worker.status(&name).map_err(|_| missing())?;
    let found = status
        .tasks
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(missing)?;
    Ok(Json(json!(found)))
}

/// `POST …/tasks/{id}/restart`: 204. A pipeline's tasks restart together (they share
/// its components and its consumer group's rebalances), so this restarts the pipeline.
#[utoipa::path(post, path = "/connectors/{name}/tasks/{task}/restart", tag = "connectors",
    params(ConnectorName, ("task" = String, Path, description = "The task's number")),
    responses((status = 204, description = "Restarted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restart_task(
    State(api): Api_,
    Path((name, task)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let missing = || ApiError::not_found(format!("Task {name}-{task} not found"));
    let id: u32 = task.parse().map_err(|_| missing())?;
    let info = api.worker.info(&name)?;
    if !info.tasks.iter().any(|t| t.task == id) {
        return Err(missing());
    }
    let worker = api.worker.clone();
    blocking(move || Ok(worker.restart(&name, false)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/topics`: `{"<name>": {"topics": [...]}}`; an unknown connector has none.
#[utoipa::path(get, path = "/connectors/{name}/topics", tag = "connectors", params(ConnectorName),
    responses((status = 200, description = "The topics it reads")))]
async fn topics(State(api): Api_, Path(name): Path<String>) -> Json<Value> {
    let topics = api.worker.topics(&name).unwrap_or_default();
    Json(json!({ name: {"topics": topics} }))
}

#[utoipa::path(get, path = "/connectors/{name}/offsets", tag = "offsets", params(ConnectorName),
    responses((status = 200, body = OffsetsBody), (status = 404, body = ErrorBody), (status = 500, body = ErrorBody)))]
async fn get_offsets(State(api): Api_, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let (pipeline, _) = api.worker.offsets_scope(&name)?;
    let listed = blocking(move || {
        offsets::committed(&pipeline).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Failed to retrieve consumer group offsets for sink connector {name}: {e}"),
            )
        })
    })
    .await?;
    Ok(Json(offsets::to_json(&listed)))
}

/// The pipeline, if it is stopped (offsets may change only then).
fn stopped_scope(api: &Api, name: &str) -> Result<sluice_config::PipelineConfig, ApiError> {
    let (pipeline, stopped) = api.worker.offsets_scope(name)?;
    if !stopped {
        return Err(ApiError::bad_request(format!(
            "Connectors must be in the STOPPED state before their offsets can be modified. This \
             can be done for the specified connector by issuing a 'PUT' request to the \
             '/connectors/{name}/stop' endpoint"
        )));
    }
    Ok(pipeline)
}

/// `PATCH …/offsets` while STOPPED: sets (or, with `"offset": null`, removes) the
/// committed offsets of the listed partitions.
#[utoipa::path(patch, path = "/connectors/{name}/offsets", tag = "offsets", params(ConnectorName),
    request_body = OffsetsBody,
    responses((status = 200, description = "Altered"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn alter_offsets(
    State(api): Api_,
    Path(name): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let changes = offsets::parse_alter(&body).map_err(ApiError::bad_request)?;
    let pipeline = stopped_scope(&api, &name)?;
    blocking(move || {
        offsets::alter(&pipeline, &changes).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Failed to alter consumer group offsets for connector {name}: {e}"),
            )
        })
    })
    .await?;
    Ok(Json(
        json!({"message": "The offsets for this connector have been altered successfully"}),
    ))
}

/// `DELETE …/offsets` while STOPPED: forgets every committed offset (the pipeline
/// starts over as `consumer.auto.offset.reset` says).
#[utoipa::path(delete, path = "/connectors/{name}/offsets", tag = "offsets", params(ConnectorName),
    responses((status = 200, description = "Reset"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reset_offsets(
    State(api): Api_,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let pipeline = stopped_scope(&api, &name)?;
    blocking(move || {
        offsets::reset(&pipeline).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Failed to reset consumer group offsets for connector {name}: {e}"),
            )
        })
    })
    .await?;
    Ok(Json(
        json!({"message": "The offsets for this connector have been reset successfully"}),
    ))
}
