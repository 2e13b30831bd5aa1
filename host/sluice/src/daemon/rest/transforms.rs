//! `/connectors/{name}/transforms`: a pipeline's transforms as they run.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{Api, ApiError};

pub fn routes() -> Router<Arc<Api>> {
    Router::new().route("/connectors/{name}/transforms", get(list))
}

/// The pipeline's transforms in chain order: alias, type, and the tasks running them.
async fn list(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let config = api.worker.config(&name)?;
    let running = api.worker.with_pipeline(&name, |p| {
        p.map(|p| {
            p.swap_handles()
                .iter()
                .map(|(alias, swap)| (alias.clone(), swap.task_handles().len()))
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    })?;
    let aliases = config
        .get("transforms")
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let listed: Vec<Value> = aliases
        .iter()
        .map(|alias| {
            json!({
                "alias": alias,
                "type": config.get(&format!("transforms.{alias}.type")),
                "tasks": running.as_ref().and_then(|r| r.get(alias)).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!(listed)))
}
