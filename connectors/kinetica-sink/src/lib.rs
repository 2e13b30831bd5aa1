//! The Kinetica sink: writes batches of records into Kinetica tables.

pub mod config;
