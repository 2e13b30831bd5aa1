//! The `predicate` world's adapter: one boolean per record, which decides whether a
//! transform applies to it (`transforms.<alias>.predicate`).

use sluice_record::Record;
use wasmtime::component::Resource;

use crate::batch::HostBatch;
use crate::bindings::PredicateWorld;
use crate::error::PluginError;
use crate::instance::{Instance, Plugin};

/// A predicate component with its configuration, ready to instantiate.
pub type PredicatePlugin = Plugin<PredicateWorld>;

/// A running predicate instance.
pub type PredicateInstance = Instance<PredicateWorld>;

impl PredicateInstance {
    /// Tests every record: one boolean per record, in order.
    ///
    /// The guest reads the records through the same `batch` resource a transform gets,
    /// over the caller's records: nothing is moved or copied. A predicate only looks —
    /// a call to a method that changes the batch fails the call with
    /// [`PluginErrorKind::Contract`](crate::PluginErrorKind::Contract).
    pub fn test(&mut self, records: &[Record]) -> Result<Vec<bool>, PluginError> {
        // SAFETY: `call` takes the batch out of the store before it returns or unwinds,
        // and drops or returns it; it is dropped below, while `records` is borrowed.
        #[allow(unsafe_code)]
        let batch = unsafe { HostBatch::borrowed(records) };
        let (verdicts, batch) = self.call(Some(batch), |exports, store| {
            // The handle names the batch held in the store's state; see `BatchRep`.
            exports
                .sluice_plugin_test_records()
                .call_test(store, Resource::new_borrow(0))
        })?;
        drop(batch);
        if verdicts.len() != records.len() {
            return Err(self.contract_error(format!(
                "`test` returned {} booleans for {} records",
                verdicts.len(),
                records.len()
            )));
        }
        Ok(verdicts)
    }
}
