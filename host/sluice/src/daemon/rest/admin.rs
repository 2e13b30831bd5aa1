//! `/`, `/health`, `/ready`, `/metrics` and `/admin/loggers`: what monitors and
//! operators ask of the daemon itself.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::body::Body;
use super::{Api, ApiError};
use crate::daemon::metrics;
use crate::logging;

pub fn routes() -> Router<Arc<Api>> {
    Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(prometheus))
        .route("/admin/loggers", get(loggers))
        .route("/admin/loggers/{logger}", get(logger).put(set_logger))
}

/// `GET /`: the version, as Connect's `ServerInfo` (`commit` is the WIT contract
/// Sluice's components are built against; there is no Kafka cluster of the daemon's
/// own, so `kafka_cluster_id` is null).
async fn root() -> Json<Value> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": format!("sluice:plugin@{}", sluice_engine::WIT_VERSION),
        "kafka_cluster_id": null,
    }))
}

/// `GET /health`: 200 while no pipeline has failed, 500 naming the failed ones.
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
async fn ready() -> Json<Value> {
    Json(json!({"status": "ready"}))
}

async fn prometheus(State(api): State<Arc<Api>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics::encode(&api.worker),
    )
        .into_response()
}

async fn loggers() -> Json<Value> {
    Json(json!(logging::levels()))
}

/// `GET /admin/loggers/{logger}`: its level set at run time, else the root level.
async fn logger(Path(logger): Path<String>) -> Json<Value> {
    let levels = logging::levels();
    let found = levels.get(&logger).or_else(|| levels.get("root")).cloned();
    Json(json!(found))
}

#[derive(serde::Deserialize)]
struct LevelRequest {
    level: Option<String>,
}

/// `PUT /admin/loggers/{logger}` with `{"level": "DEBUG"}`: the loggers affected.
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
