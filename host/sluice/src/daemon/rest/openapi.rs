//! The OpenAPI document of the REST API (`GET /openapi.json`), generated from the
//! handlers' `#[utoipa::path]` annotations as the router is built, so the two cannot
//! drift apart; and the schemas several handlers share.

use std::collections::HashMap;

use utoipa::openapi::OpenApi;
use utoipa::{IntoParams, ToSchema};

/// Connect's error body.
#[derive(ToSchema)]
#[allow(dead_code)] // A schema only: the handlers write it as JSON.
pub struct ErrorBody {
    /// The HTTP status.
    error_code: u16,
    message: String,
}

/// A connector's properties, flat.
pub type ConfigBody = HashMap<String, String>;

/// One partition's committed offset, as Connect writes a sink connector's.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PartitionOffset {
    #[schema(value_type = HashMap<String, String>)]
    partition: (),
    #[schema(value_type = HashMap<String, i64>)]
    offset: (),
}

/// `{"offsets": [...]}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OffsetsBody {
    offsets: Vec<PartitionOffset>,
}

/// The `{name}` of `/connectors/{name}/…`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ConnectorName {
    /// The connector (pipeline).
    name: String,
}

/// The document's title and version.
pub fn base() -> OpenApi {
    let mut api = OpenApi::default();
    api.info.title = "Sluice REST API (Kafka Connect's paths and shapes)".to_owned();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    api
}
