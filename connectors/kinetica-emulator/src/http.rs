//! HTTP front end: one axum router per node (head or worker rank) that decodes
//! the binary Avro request, calls the endpoint, and wraps the answer in the
//! `gpudb_response` envelope.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sluice_kinetica::{AvroRecord, Endpoint, GpudbResponse};

use crate::db::{ApiError, ApiResult, Db};

/// Response header the Python client turns into `status_info['response_time']`;
/// `GPUdbTable.insert_records()` fails without it (docs/reference/kinetica-rest-protocol.md §10).
const REQUEST_TIME_HEADER: &str = "x-request-time-secs";

/// One listening node: rank 0 is the head, ranks ≥ 1 are workers.
#[derive(Clone, Debug)]
pub struct Node {
    pub db: Arc<Db>,
    pub rank: usize,
}

/// The router of a node. Every path goes through [`dispatch`], which mirrors
/// Kinetica: POST only, errors as HTTP 400 with an ERROR envelope.
pub fn router(node: Node) -> Router {
    Router::new()
        .fallback(dispatch)
        // Insert batches can be far larger than axum's 2 MB default.
        .layer(DefaultBodyLimit::disable())
        .with_state(node)
}

async fn dispatch(State(node): State<Node>, method: Method, uri: Uri, body: Bytes) -> Response {
    let started = Instant::now();
    let path = uri.path();
    node.db.count_request(path);
    let (status, envelope) = if let Some((status, message)) = node.db.take_fault(path) {
        (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            GpudbResponse::error(message),
        )
    } else if method != Method::POST {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            GpudbResponse::error(format!("{method} not supported; use POST")),
        )
    } else {
        match route(&node, path, &body) {
            Some(Ok(env)) => (StatusCode::OK, env),
            Some(Err(ApiError(message))) => {
                tracing::debug!(rank = node.rank, path, %message, "emulator endpoint error");
                (StatusCode::BAD_REQUEST, GpudbResponse::error(message))
            }
            None => {
                let mut stats = node.db.stats.lock().expect("stats lock");
                *stats.unknown_endpoints.entry(path.to_owned()).or_default() += 1;
                (
                    StatusCode::NOT_FOUND,
                    GpudbResponse::error(format!("Endpoint not found: {path}")),
                )
            }
        }
    };
    let mut resp = (status, envelope.to_bytes()).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let secs = format!("{:.6}", started.elapsed().as_secs_f64());
    headers.insert(
        REQUEST_TIME_HEADER,
        HeaderValue::from_str(&secs).expect("ascii"),
    );
    resp
}

/// Calls the endpoint for `path`; `None` for paths this node does not serve.
fn route(node: &Node, path: &str, body: &[u8]) -> Option<ApiResult<GpudbResponse>> {
    let db = &node.db;
    // Worker ranks serve ingest, key lookups and status probes only.
    let worker = node.rank > 0;
    Some(match path {
        "/insert/records" => call(body, |r| db.insert_records(r, node.rank)),
        "/get/records" => call(body, |r| db.get_records(r)),
        "/show/system/status" => call(body, |r| db.show_system_status(r)),
        _ if worker => return None,
        "/show/system/properties" => call(body, |r| db.show_system_properties(r)),
        "/admin/show/shards" => call(body, |r| db.admin_show_shards(r)),
        "/create/schema" => call(body, |r| db.create_schema(r)),
        "/has/schema" => call(body, |r| db.has_schema(r)),
        "/show/schema" => call(body, |r| db.show_schema(r)),
        "/drop/schema" => call(body, |r| db.drop_schema(r)),
        "/create/type" => call(body, |r| db.create_type(r)),
        "/show/types" => call(body, |r| db.show_types(r)),
        "/has/type" => call(body, |r| db.has_type(r)),
        "/create/table" => call(body, |r| db.create_table(r)),
        "/has/table" => call(body, |r| db.has_table(r)),
        "/show/table" => call(body, |r| db.show_table(r)),
        "/clear/table" => call(body, |r| db.clear_table(r)),
        "/clear/tables" => call(body, |r| db.clear_tables(r)),
        "/alter/table" => call(body, |r| db.alter_table(r)),
        "/alter/table/columns" => call(body, |r| db.alter_table_columns(r)),
        "/delete/records" => call(body, |r| db.delete_records(r)),
        "/create/tablemonitor" => call(body, |r| db.create_table_monitor(r)),
        "/clear/tablemonitor" => call(body, |r| db.clear_table_monitor(r)),
        _ => return None,
    })
}

/// Decodes request `E`, runs `f`, wraps the response.
fn call<E: Endpoint>(
    body: &[u8],
    f: impl FnOnce(E) -> ApiResult<E::Response>,
) -> ApiResult<GpudbResponse> {
    let req = E::from_bytes(body).map_err(|e| {
        ApiError::new(format!(
            "Unable to decode {} (binary Avro expected): {e}",
            E::NAME
        ))
    })?;
    f(req).map(|r| GpudbResponse::ok(&r))
}
