//! The REST API of `sluice run`: Kafka Connect's paths, status codes and JSON shapes
//! (a pipeline is a "connector" there), so scripts and tools written for Connect work.
//! Handlers translate HTTP to [`Worker`](super::worker::Worker) calls; those that start
//! or stop pipelines run on blocking threads.
//!
//! Mutating calls (anything but GET and HEAD) need `Authorization: Bearer <token>`
//! when `rest.auth.token` is set; without a token the API only listens on loopback.
//! `GET /ui` serves a status page that drives the same calls ([`ui`]).

mod admin;
mod body;
mod connectors;
mod error;
mod openapi;
mod plugins;
mod transforms;
mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sluice_config::Secret;
use utoipa_axum::router::OpenApiRouter;

pub use error::ApiError;

use super::worker::Worker;

/// What every handler can reach.
pub struct Api {
    pub worker: Arc<Worker>,
    token: Option<Secret>,
}

/// Runs `f` (a blocking worker call) on a blocking thread.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

/// The router of the whole API, with `GET /openapi.json` describing it, and the
/// status page.
pub fn router(worker: Arc<Worker>, token: Option<Secret>) -> Router {
    let api = Arc::new(Api { worker, token });
    let (router, openapi) = OpenApiRouter::with_openapi(openapi::base())
        .merge(admin::routes())
        .merge(connectors::routes())
        .merge(plugins::routes())
        .merge(transforms::routes())
        .split_for_parts();
    let document = Arc::new(openapi);
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .merge(ui::routes())
        .fallback(error::not_found)
        .layer(middleware::from_fn_with_state(api.clone(), authorize))
        .with_state(api)
}

/// Refuses a mutating call without the token (401), in Connect's error shape, and logs
/// every call at DEBUG: its method, path and status only (never a header, the query or
/// the body, which may carry secrets).
async fn authorize(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let mutating = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if let (true, Some(token)) = (mutating, &api.token) {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| same(g.as_bytes(), token.expose().as_bytes())) {
            tracing::debug!(%method, %path, "REST call refused: no or another bearer token");
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this call changes the daemon: send `Authorization: Bearer <rest.auth.token>`",
            )
            .into_response();
        }
    }
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "REST call");
    response
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Binds `listener`, refusing a non-loopback address without a token.
pub async fn bind(
    listener: &str,
    token: Option<&Secret>,
) -> anyhow::Result<(tokio::net::TcpListener, SocketAddr)> {
    let socket = tokio::net::TcpListener::bind(listener).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {listener} (`rest.listener`): {e}; choose another address, or `none`"
        )
    })?;
    let bound = socket.local_addr()?;
    if token.is_none() && !bound.ip().is_loopback() {
        anyhow::bail!(
            "`rest.listener` {listener} is not a loopback address and `rest.auth.token` is not \
             set: anyone who reaches it could change pipelines; set a token or listen on 127.0.0.1"
        );
    }
    Ok((socket, bound))
}

/// Serves the API on `socket` until the runtime shuts down.
pub async fn serve(
    socket: tokio::net::TcpListener,
    worker: Arc<Worker>,
    token: Option<Secret>,
    tls: Option<(String, String)>,
) -> anyhow::Result<()> {
    let bound = socket.local_addr()?;
    let app = router(worker, token.clone());
    let scheme = if tls.is_some() { "https" } else { "http" };
    match tls {
        Some((cert, key)) => {
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot read `rest.tls.cert` {cert} / `rest.tls.key` {key}: {e}"
                    )
                })?;
            let server = axum_server::from_tcp_rustls(socket.into_std()?, config)?;
            tokio::spawn(async move {
                if let Err(e) = server.serve(app.into_make_service()).await {
                    tracing::error!("the REST API stopped: {e}");
                }
            });
        }
        None => {
            tokio::spawn(async move {
                if let Err(e) = axum::serve(socket, app).await {
                    tracing::error!("the REST API stopped: {e}");
                }
            });
        }
    }
    tracing::info!(
        "REST API on {scheme}://{bound}{}",
        if token.is_some() {
            " (mutating calls need the bearer token)"
        } else {
            " (loopback only: no rest.auth.token, so mutating calls need none)"
        }
    );
    Ok(())
}
