//! A record that could not be converted, transformed or written: what the error policy
//! acts on (stop, or dead letter queue).

use sluice_connect::SourceBatch;

use crate::error::{FailureKind, Stage};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadRecord {
    /// Index of the record in the batch as consumed: its raw bytes and coordinates.
    pub raw: usize,
    pub stage: Stage,
    /// What was running, for the `__connect.errors.class.name` header: the converter or
    /// transform type as configured, or the connector.
    pub class: String,
    /// What was running, for messages (`transform `mask` (mask-field)`).
    pub label: String,
    /// The kind of failure, for the `__connect.errors.exception.class.name` header.
    pub exception: &'static str,
    pub reason: String,
}

impl BadRecord {
    /// The failure that stops the pipeline under `errors.tolerance=none`.
    pub fn into_failure(self, batch: &SourceBatch) -> FailureKind {
        FailureKind::BadRecord {
            coordinates: crate::chain::coordinates(batch, self.raw),
            stage: self.stage,
            component: self.label,
            reason: self.reason,
        }
    }
}
