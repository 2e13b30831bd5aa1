//! Errors as Kafka Connect's REST API writes them: `{"error_code": …, "message": …}`
//! with the same code as the HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::daemon::worker::WorkerError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl From<WorkerError> for ApiError {
    fn from(e: WorkerError) -> ApiError {
        let status = match &e {
            WorkerError::NotFound(_) => StatusCode::NOT_FOUND,
            WorkerError::Exists(_) | WorkerError::Busy(_) => StatusCode::CONFLICT,
            WorkerError::Invalid { .. } | WorkerError::BadRequest(_) => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error_code": self.status.as_u16(),
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

/// Malformed JSON bodies, unknown methods and paths answer in the same shape.
pub async fn not_found() -> ApiError {
    ApiError::not_found("HTTP 404 Not Found")
}
