//! Transforms: a configured component ([`TransformPlugin`]) and its running instance
//! ([`TransformInstance`]), which applies the component to a batch at a time.

use std::sync::Arc;

use sluice_record::Record;
use wasmtime::component::Resource;
use wasmtime::{Store, Trap};

use crate::batch::{Fate, HostBatch};
use crate::bindings::types::{Error as WitError, PropertyType};
use crate::bindings::{Transform, TransformPre};
use crate::engine::{EPOCH_TICK, LoadedComponent, WasmEngine};
use crate::error::{PluginError, PluginErrorKind};
use crate::limits::SandboxLimits;
use crate::state::HostState;

/// A property a component declares through `describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertySpec {
    pub name: String,
    /// `string`, `int`, `long`, `double`, `boolean`, `list` or `password`.
    pub ty: &'static str,
    /// `None`: required.
    pub default: Option<String>,
    pub doc: String,
}

/// A transform component with its configuration, ready to instantiate. Cheap to clone
/// and share: instances come from a pre-linked `InstancePre`.
#[derive(Clone)]
pub struct TransformPlugin {
    inner: Arc<PluginInner>,
}

struct PluginInner {
    name: String,
    engine: WasmEngine,
    pre: TransformPre<HostState>,
    config: Vec<(String, String)>,
    limits: SandboxLimits,
    properties: Vec<PropertySpec>,
}

/// The result of applying a transform to a batch.
#[derive(Debug, Default)]
pub struct TransformOutput {
    /// Records that go on, in input order, followed by records the guest appended.
    pub records: Vec<Record>,
    /// Records the guest rejected, with its reason: for the error policy (DLQ or stop).
    pub rejected: Vec<(Record, String)>,
    /// How many records the guest discarded (filtered out).
    pub discarded: usize,
    /// For each of `records`, the index in the input batch of the record it is (or, for
    /// an appended record, was appended from): lets a caller trace a record back to its
    /// source through a chain of transforms (dead letter queues, `BadRecord` reruns).
    pub origins: Vec<u32>,
    /// For each of `rejected`, its index in the input batch.
    pub rejected_origins: Vec<u32>,
}

impl PluginInner {
    fn link(
        engine: &WasmEngine,
        loaded: &LoadedComponent,
        config: Vec<(String, String)>,
        limits: SandboxLimits,
    ) -> Result<PluginInner, PluginError> {
        let name = loaded.name.clone();
        let instance_pre = engine
            .linker()
            .instantiate_pre(&loaded.component)
            .map_err(|e| PluginError::new(&name, PluginErrorKind::Link(format!("{e:#}"))))?;
        let pre = TransformPre::new(instance_pre)
            .map_err(|e| PluginError::new(&name, PluginErrorKind::WrongWorld(format!("{e:#}"))))?;
        Ok(PluginInner {
            name,
            engine: engine.clone(),
            pre,
            config,
            limits,
            properties: Vec::new(),
        })
    }
}

fn ticks(limits: &SandboxLimits) -> u64 {
    (limits.call_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
}

fn property_type_name(t: PropertyType) -> &'static str {
    match t {
        PropertyType::String => "string",
        PropertyType::Int => "int",
        PropertyType::Long => "long",
        PropertyType::Double => "double",
        PropertyType::Boolean => "boolean",
        PropertyType::List => "list",
        PropertyType::Password => "password",
    }
}

impl TransformPlugin {
    /// Links the component, then instantiates it once to read its declared properties
    /// and check that it accepts `config` — so a bad configuration fails here, off the
    /// hot path, and never reaches a running pipeline.
    pub fn new(
        engine: &WasmEngine,
        loaded: LoadedComponent,
        config: Vec<(String, String)>,
        limits: SandboxLimits,
    ) -> Result<TransformPlugin, PluginError> {
        let mut plugin = PluginInner::link(engine, &loaded, config, limits)?;
        let mut probe = TransformInstance::start(&plugin)?;
        plugin.properties = probe.describe()?;
        Ok(TransformPlugin {
            inner: Arc::new(plugin),
        })
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The properties the component declares.
    pub fn properties(&self) -> &[PropertySpec] {
        &self.inner.properties
    }

    pub fn limits(&self) -> &SandboxLimits {
        &self.inner.limits
    }

    /// The properties a component declares, without configuring it: lets a caller
    /// check a property group (unknown keys with suggestions, missing required ones)
    /// before [`TransformPlugin::new`] hands it to the component, whose own message for
    /// a typo cannot suggest the right name.
    pub fn describe(
        engine: &WasmEngine,
        loaded: &LoadedComponent,
        limits: SandboxLimits,
    ) -> Result<Vec<PropertySpec>, PluginError> {
        let plugin = PluginInner::link(engine, loaded, Vec::new(), limits)?;
        TransformInstance::unconfigured(&plugin)?.describe()
    }

    /// A fresh, configured instance.
    pub fn instantiate(&self) -> Result<TransformInstance, PluginError> {
        let mut instance = TransformInstance::start(&self.inner)?;
        instance.plugin = Some(self.clone());
        Ok(instance)
    }
}

/// A running instance: a store with its own memory, limits and WASI context.
pub struct TransformInstance {
    plugin: Option<TransformPlugin>,
    store: Store<HostState>,
    bindings: Transform,
    name: String,
    /// Set after a trap: a trapped instance cannot be entered again.
    poisoned: bool,
}

impl TransformInstance {
    fn start(plugin: &PluginInner) -> Result<TransformInstance, PluginError> {
        let mut instance = TransformInstance::unconfigured(plugin)?;
        instance.configure(&plugin.config, &plugin.limits)?;
        Ok(instance)
    }

    /// Instantiated but not configured: only `describe` may be called.
    fn unconfigured(plugin: &PluginInner) -> Result<TransformInstance, PluginError> {
        let mut store = Store::new(
            plugin.engine.engine(),
            HostState::new(&plugin.name, &plugin.limits),
        );
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(ticks(&plugin.limits));
        let bindings = plugin
            .pre
            .instantiate(&mut store)
            .map_err(|e| PluginError::new(&plugin.name, PluginErrorKind::Link(format!("{e:#}"))))?;
        Ok(TransformInstance {
            plugin: None,
            store,
            bindings,
            name: plugin.name.clone(),
            poisoned: false,
        })
    }

    pub fn component_name(&self) -> &str {
        &self.name
    }

    fn configure(
        &mut self,
        config: &[(String, String)],
        limits: &SandboxLimits,
    ) -> Result<(), PluginError> {
        self.store.set_epoch_deadline(ticks(limits));
        let result = self
            .bindings
            .sluice_plugin_configurable()
            .call_configure(&mut self.store, config);
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.guest_error(e)),
            Err(trap) => Err(self.trap_error(trap, limits)),
        }
    }

    fn describe(&mut self) -> Result<Vec<PropertySpec>, PluginError> {
        let limits = self.limits();
        self.store.set_epoch_deadline(ticks(&limits));
        let props = self
            .bindings
            .sluice_plugin_configurable()
            .call_describe(&mut self.store)
            .map_err(|trap| self.trap_error(trap, &limits))?;
        Ok(props
            .into_iter()
            .map(|p| PropertySpec {
                name: p.name,
                ty: property_type_name(p.type_),
                default: p.default_value,
                doc: p.doc,
            })
            .collect())
    }

    fn limits(&self) -> SandboxLimits {
        self.plugin
            .as_ref()
            .map(|p| p.inner.limits.clone())
            .unwrap_or_default()
    }

    fn guest_error(&self, e: WitError) -> PluginError {
        let kind = match e {
            WitError::InvalidConfig(m) => PluginErrorKind::InvalidConfig(m),
            WitError::BadRecord(r) => PluginErrorKind::BadRecord {
                index: r.index,
                message: r.message,
            },
            WitError::Fatal(m) => PluginErrorKind::Fatal(m),
        };
        PluginError::new(&self.name, kind)
    }

    /// Turns a trap into a typed error and poisons the instance.
    fn trap_error(&mut self, trap: wasmtime::Error, limits: &SandboxLimits) -> PluginError {
        self.poisoned = true;
        let kind = if trap.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            PluginErrorKind::Timeout {
                budget_ms: limits.call_timeout.as_millis(),
            }
        } else if self.store.data().limiter.hit {
            PluginErrorKind::OutOfMemory {
                limit_bytes: limits.memory_bytes,
            }
        } else {
            let stderr = self.store.data().stderr_tail();
            let root = trap.root_cause().to_string();
            if stderr.is_empty() {
                PluginErrorKind::Trap(root)
            } else {
                PluginErrorKind::Trap(format!("{root}; guest stderr: {stderr}"))
            }
        };
        PluginError::new(&self.name, kind)
    }

    /// Replaces a poisoned instance with a fresh one (microseconds from `InstancePre`).
    fn recover(&mut self) -> Result<(), PluginError> {
        let plugin = self
            .plugin
            .clone()
            .expect("instances handed out by TransformPlugin know their plugin");
        tracing::info!(component = %self.name, "re-instantiating the component after a failure");
        *self = plugin.instantiate()?;
        Ok(())
    }

    /// Applies the transform to one batch.
    ///
    /// On error the batch is gone (the guest may have changed part of it): the caller
    /// still has the records' source and decides, per its error policy, to stop or to
    /// rerun without the failing record. A trapped instance is replaced on the next call.
    pub fn apply(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        if self.poisoned {
            self.recover()?;
        }
        let limits = self.limits();
        self.store.data_mut().batch = Some(HostBatch::new(records));
        self.store.set_epoch_deadline(ticks(&limits));
        // The handle names the batch held in the store's state; see `BatchRep`.
        let handle = Resource::new_borrow(0);
        let result = self
            .bindings
            .sluice_plugin_transform_records()
            .call_apply(&mut self.store, handle);
        let batch = self
            .store
            .data_mut()
            .batch
            .take()
            .expect("batch is put back");
        match result {
            Err(trap) => Err(self.trap_error(trap, &limits)),
            Ok(Err(e)) => Err(self.guest_error(e)),
            Ok(Ok(())) => match batch.violation {
                Some(v) => Err(PluginError::new(&self.name, PluginErrorKind::Contract(v))),
                None => Ok(collect(batch)),
            },
        }
    }
}

fn collect(batch: HostBatch) -> TransformOutput {
    let mut out = TransformOutput {
        records: Vec::with_capacity(batch.records.len() + batch.appended.len()),
        ..TransformOutput::default()
    };
    out.origins.reserve(out.records.capacity());
    for (index, (record, fate)) in (0u32..).zip(batch.records.into_iter().zip(batch.fates)) {
        match fate {
            Fate::Keep => {
                out.records.push(record);
                out.origins.push(index);
            }
            Fate::Discard => out.discarded += 1,
            Fate::Reject(reason) => {
                out.rejected.push((record, reason));
                out.rejected_origins.push(index);
            }
        }
    }
    for (origin, record) in batch.appended {
        out.records.push(record);
        out.origins.push(origin);
    }
    out
}
