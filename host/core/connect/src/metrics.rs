//! What sources, sinks and the runtime measure the same way: latency histograms of
//! relaxed atomics (observed once per batch or request, read at a scrape), and a
//! connector's requests to its external system by endpoint.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds: 0.5 ms to 10 s, roughly ×2.5.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram of relaxed atomics: observed once per batch and stage.
#[derive(Debug, Default)]
pub struct Latency {
    /// Observations per bucket of [`LATENCY_BUCKETS`], the last one above them all.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

/// A [`Latency`] at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencySnapshot {
    /// Observations per bucket (not cumulative), the last one above every bound.
    pub buckets: Vec<u64>,
    /// Sum of the observations, in seconds.
    pub sum_seconds: f64,
    /// Number of observations.
    pub count: u64,
}

impl Latency {
    /// Records one observation.
    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos
            .fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads the histogram (each counter relaxed, as [`PipelineMetrics::snapshot`]).
    pub fn snapshot(&self) -> LatencySnapshot {
        LatencySnapshot {
            buckets: self
                .buckets
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .collect(),
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
            count: self.count.load(Ordering::Relaxed),
        }
    }
}

/// A connector's requests to its external system, by endpoint (Kinetica's
/// `/insert/records`, …): how long each took and how many failed.
#[derive(Debug, Default)]
pub struct RequestMetrics {
    endpoints: Mutex<BTreeMap<String, Arc<EndpointMetrics>>>,
}

/// One endpoint's requests.
#[derive(Debug, Default)]
pub struct EndpointMetrics {
    /// How long each request took (each attempt of a retried one).
    pub latency: Latency,
    /// Requests that failed (an error answer, or none).
    pub errors: AtomicU64,
}

impl RequestMetrics {
    /// Records one request to `endpoint`.
    pub fn observe(&self, endpoint: &str, took: Duration, ok: bool) {
        let metrics = {
            let mut endpoints = self.endpoints.lock().unwrap_or_else(|p| p.into_inner());
            match endpoints.get(endpoint) {
                Some(m) => m.clone(),
                None => endpoints.entry(endpoint.to_owned()).or_default().clone(),
            }
        };
        metrics.latency.observe(took);
        if !ok {
            metrics.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Each endpoint's latency and errors so far.
    pub fn snapshot(&self) -> BTreeMap<String, (LatencySnapshot, u64)> {
        let endpoints = self.endpoints.lock().unwrap_or_else(|p| p.into_inner());
        endpoints
            .iter()
            .map(|(e, m)| {
                (
                    e.clone(),
                    (m.latency.snapshot(), m.errors.load(Ordering::Relaxed)),
                )
            })
            .collect()
    }
}
