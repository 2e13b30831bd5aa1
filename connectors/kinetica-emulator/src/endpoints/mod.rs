//! Endpoint behaviour, one module per area, each an `impl Db` block.

mod alter;
pub(crate) mod catalog;
mod monitor;
mod records;
mod system;
