//! `/`, `/health`, `/ready`, `/metrics`, `/metrics/pipelines` and `/admin/loggers`:
//! what monitors and operators ask of the daemon itself.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::body::Body;
use super::openapi::ErrorBody;
use super::{Api, ApiError};
use crate::daemon::metrics;
use crate::logging;

pub fn routes() -> OpenApiRouter<Arc<Api>> {
    OpenApiRouter::new()
        .routes(routes!(root))
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(prometheus))
        .routes(routes!(pipeline_metrics))
        .routes(routes!(loggers))
        .routes(routes!(logger, set_logger))
}

/// `GET /`: the version, as Connect's `ServerInfo` (`commit` is the WIT contract
/// Sluice's components are built against; there is no Kafka cluster of the daemon's
/// own, so `kafka_cluster_id` is null).
#[utoipa::path(get, path = "/", tag = "daemon", responses((status = 200, description = "Version")))]
async fn root() -> Json<Value> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": format!("sluice:plugin@{}", sluice_engine::WIT_VERSION),
        "kafka_cluster_id": null,
    }))
}

/// `GET /health`: 200 while no pipeline has failed, 500 naming the failed ones.
#[utoipa::path(get, path = "/health", tag = "daemon", responses((status = 200, description = "Healthy"), (status = 500, description = "A pipeline failed")))]
async fn health(State(api): State<Arc<Api>>) -> Response {
    let failed: Vec<String> = api
        .worker
        .names()
        .into_iter()
        .filter(|n| {
            api.worker
                .status(n)
                .is_ok_and(|s| s.connector.state == "FAILED")
        })
        .collect();
    if failed.is_empty() {
        Json(json!({
            "status": "healthy",
            "message": "Worker has completed startup and is ready to handle requests.",
        }))
        .into_response()
    } else {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({
                "status": "unhealthy",
                "message": format!("failed pipeline(s): {}", failed.join(", ")),
            })),
        )
            .into_response()
    }
}

/// `GET /ready`: 200 once the API serves (pipelines of files given at start-up have
/// started by then).
#[utoipa::path(get, path = "/ready", tag = "daemon", responses((status = 200, description = "Serving")))]
async fn ready() -> Json<Value> {
    Json(json!({"status": "ready"}))
}

#[utoipa::path(get, path = "/metrics", tag = "daemon", responses((status = 200, description = "Prometheus text", content_type = "application/openmetrics-text")))]
async fn prometheus(State(api): State<Arc<Api>>) -> Result<Response, ApiError> {
    let worker = api.worker.clone();
    let text = super::blocking(move || Ok(metrics::encode(&worker))).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// `GET /metrics/pipelines`: what `/metrics` says of each pipeline, as JSON.
#[utoipa::path(get, path = "/metrics/pipelines", tag = "daemon", responses((status = 200, body = metrics::Summary, description = "Each running pipeline's state, counters and lag")))]
async fn pipeline_metrics(State(api): State<Arc<Api>>) -> Result<Json<metrics::Summary>, ApiError> {
    let worker = api.worker.clone();
    let summary = super::blocking(move || Ok(metrics::summary(&worker))).await?;
    Ok(Json(summary))
}

#[utoipa::path(get, path = "/admin/loggers", tag = "loggers", responses((status = 200, description = "Levels set at run time, and root")))]
async fn loggers() -> Json<Value> {
    Json(json!(logging::levels()))
}

/// `GET /admin/loggers/{logger}`: its level set at run time, else the root level.
#[utoipa::path(get, path = "/admin/loggers/{logger}", tag = "loggers", params(("logger" = String, Path)), responses((status = 200, description = "Its level")))]
async fn logger(Path(logger): Path<String>) -> Json<Value> {
    let levels = logging::levels();
    let found = levels.get(&logger).or_else(|| levels.get("root")).cloned();
    Json(json!(found))
}

/// `PUT /admin/loggers/{logger}`'s body.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct LevelRequest {
    level: Option<String>,
}

/// `PUT /admin/loggers/{logger}` with `{"level": "DEBUG"}`: the loggers affected.
#[utoipa::path(put, path = "/admin/loggers/{logger}", tag = "loggers", params(("logger" = String, Path)), request_body = LevelRequest, responses((status = 200, description = "The loggers changed"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_logger(
    Path(logger): Path<String>,
    Body(request): Body<LevelRequest>,
) -> Result<Json<Value>, ApiError> {
    let level = request.level.ok_or_else(|| {
        ApiError::bad_request("Desired 'level' parameter was not specified in request.")
    })?;
    // Connect answers an unknown level with 404; so do we.
    let affected = logging::set_level(&logger, &level).map_err(ApiError::not_found)?;
    tracing::info!("log level of {logger} set to {level}");
    Ok(Json(json!(affected)))
}
