//! `GET /ui`: a status page for operators: every pipeline's state, throughput, lag,
//! rows per table and transforms, with pause, resume, restart and rollback buttons.
//!
//! The page is three hand-written files (`ui/`), embedded in the binary so that it
//! needs nothing installed and nothing from the network but the daemon. It is a client
//! of the REST API like any other: it reads with GETs (which need no token) and sends
//! the token the operator types in with the calls that change something, so it can do
//! nothing a `curl` could not. It never asks for, or shows, record contents.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::Api;

const PAGE: &str = include_str!("ui/index.html");
const STYLE: &str = include_str!("ui/style.css");
const SCRIPT: &str = include_str!("ui/app.js");

/// Only the daemon's own scripts, styles and API: the page works offline, and an
/// injected `<script>` or a pipeline name crafted as markup would not run.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The page's routes. They are not in the OpenAPI document: they serve a page, not
/// the API.
pub fn routes() -> Router<Arc<Api>> {
    Router::new()
        .route(
            "/ui",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        // The page's links are relative (so that it also works behind a proxy that
        // serves the API under a prefix): they resolve only from `/ui` itself.
        .route("/ui/", get(|| async { Redirect::permanent("../ui") }))
        .route(
            "/ui/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/ui/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Revalidated each load: a new binary's page replaces the old at once.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}
