//! The generic component instance every world shares: a configured component
//! ([`Plugin`]) and its running instances ([`Instance`]) — the store, the sandbox
//! limits, the CPU budget per call, trap classification, poisoning and
//! re-instantiation from `InstancePre`, `configure` and `describe`.
//!
//! What differs per world is only which export a call goes to and what it hands over
//! and back; that is the thin adapter in `transform.rs`, `predicate.rs`,
//! `converter.rs` and `flattener.rs`, behind the [`World`] trait implemented in
//! `bindings.rs`.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

use wasmtime::component::InstancePre;
use wasmtime::{Store, Trap};

use crate::batch::HostBatch;
use crate::bindings::types::{Error as WitError, Property, PropertyType};
use crate::engine::{EPOCH_TICK, LoadedComponent, WasmEngine};
use crate::error::{PluginError, PluginErrorKind};
use crate::limits::SandboxLimits;
use crate::state::HostState;
use crate::world::WorldKind;

/// One world of `wit/plugin.wit`, as the generic instance sees it: how to pre-link and
/// instantiate its bindings, and how to reach the `configurable` export every world
/// has. Implemented for [`TransformWorld`](crate::TransformWorld),
/// [`PredicateWorld`](crate::PredicateWorld), [`ConverterWorld`](crate::ConverterWorld)
/// and [`FlattenerWorld`](crate::FlattenerWorld); not meant to be implemented outside
/// this crate.
pub trait World: Send + Sync + 'static {
    /// Which world this is.
    const KIND: WorldKind;
    #[doc(hidden)]
    type Pre: Send + Sync;
    #[doc(hidden)]
    type Exports: Send + Sync;
    #[doc(hidden)]
    fn pre(pre: InstancePre<HostState>) -> wasmtime::Result<Self::Pre>;
    #[doc(hidden)]
    fn instantiate(
        pre: &Self::Pre,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Self::Exports>;
    #[doc(hidden)]
    fn describe(
        exports: &Self::Exports,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Vec<Property>>;
    #[doc(hidden)]
    fn configure(
        exports: &Self::Exports,
        store: &mut Store<HostState>,
        config: &[(String, String)],
    ) -> wasmtime::Result<Result<(), WitError>>;
}

/// A property a component declares through `describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertySpec {
    /// The property's name, as it appears after the group prefix.
    pub name: String,
    /// `string`, `int`, `long`, `double`, `boolean`, `list` or `password`.
    pub ty: &'static str,
    /// `None`: required.
    pub default: Option<String>,
    /// What the property does, for `config describe` and validation messages.
    pub doc: String,
}

/// A component of world `W` with its configuration, ready to instantiate. Cheap to
/// clone and share: instances come from a pre-linked `InstancePre`.
pub struct Plugin<W: World> {
    inner: Arc<PluginInner<W>>,
}

impl<W: World> Clone for Plugin<W> {
    fn clone(&self) -> Self {
        Plugin {
            inner: self.inner.clone(),
        }
    }
}

struct PluginInner<W: World> {
    name: String,
    engine: WasmEngine,
    pre: W::Pre,
    config: Vec<(String, String)>,
    limits: SandboxLimits,
    properties: Vec<PropertySpec>,
}

impl<W: World> PluginInner<W> {
    fn link(
        engine: &WasmEngine,
        loaded: &LoadedComponent,
        config: Vec<(String, String)>,
        limits: SandboxLimits,
    ) -> Result<PluginInner<W>, PluginError> {
        let name = loaded.name.clone();
        if loaded.world != W::KIND {
            return Err(PluginError::new(
                &name,
                PluginErrorKind::WrongWorld(format!(
                    "it was loaded as a {} but is used as a {}",
                    loaded.world.name(),
                    W::KIND.name()
                )),
            ));
        }
        let instance_pre = engine
            .linker()
            .instantiate_pre(&loaded.component)
            .map_err(|e| PluginError::new(&name, PluginErrorKind::Link(format!("{e:#}"))))?;
        let pre = W::pre(instance_pre)
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
    (limits.cpu_budget.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
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

impl<W: World> Plugin<W> {
    /// Links the component, then instantiates it once to read its declared properties
    /// and check that it accepts `config` — so a bad configuration fails here, off the
    /// hot path, and never reaches a running pipeline.
    pub fn new(
        engine: &WasmEngine,
        loaded: LoadedComponent,
        config: Vec<(String, String)>,
        limits: SandboxLimits,
    ) -> Result<Plugin<W>, PluginError> {
        let mut inner = Arc::new(PluginInner::<W>::link(engine, &loaded, config, limits)?);
        let properties = Instance::start(inner.clone())?.describe()?;
        Arc::get_mut(&mut inner)
            .expect("the probe instance is gone")
            .properties = properties;
        Ok(Plugin { inner })
    }

    /// The component's name, for messages.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The properties the component declares.
    pub fn properties(&self) -> &[PropertySpec] {
        &self.inner.properties
    }

    /// The limits its instances run with.
    pub fn limits(&self) -> &SandboxLimits {
        &self.inner.limits
    }

    /// The properties a component declares, without configuring it: lets a caller
    /// check a property group (unknown keys with suggestions, missing required ones)
    /// before [`Plugin::new`] hands it to the component, whose own message for a typo
    /// cannot suggest the right name.
    pub fn describe(
        engine: &WasmEngine,
        loaded: &LoadedComponent,
        limits: SandboxLimits,
    ) -> Result<Vec<PropertySpec>, PluginError> {
        let inner = PluginInner::<W>::link(engine, loaded, Vec::new(), limits)?;
        Instance::unconfigured(Arc::new(inner))?.describe()
    }

    /// A fresh, configured instance.
    pub fn instantiate(&self) -> Result<Instance<W>, PluginError> {
        Instance::start(self.inner.clone())
    }
}

/// A running instance of a component of world `W`: a store with its own memory,
/// limits and WASI context. The world's adapter adds the call (`apply`, `test`, …).
pub struct Instance<W: World> {
    plugin: Arc<PluginInner<W>>,
    store: Store<HostState>,
    exports: W::Exports,
    /// Set after a trap: a trapped instance cannot be entered again.
    poisoned: bool,
}

impl<W: World> Instance<W> {
    fn start(plugin: Arc<PluginInner<W>>) -> Result<Instance<W>, PluginError> {
        let mut instance = Instance::unconfigured(plugin)?;
        let plugin = instance.plugin.clone();
        instance.call(None, |exports, store| {
            W::configure(exports, store, &plugin.config)
        })?;
        Ok(instance)
    }

    /// Instantiated but not configured: only `describe` may be called.
    fn unconfigured(plugin: Arc<PluginInner<W>>) -> Result<Instance<W>, PluginError> {
        let mut store = Store::new(
            plugin.engine.engine(),
            HostState::new(&plugin.name, &plugin.limits),
        );
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(ticks(&plugin.limits));
        let exports = W::instantiate(&plugin.pre, &mut store)
            .map_err(|e| PluginError::new(&plugin.name, PluginErrorKind::Link(format!("{e:#}"))))?;
        Ok(Instance {
            plugin,
            store,
            exports,
            poisoned: false,
        })
    }

    /// The most linear memory the instance has been granted, in bytes (its
    /// `sandbox.memory.max.bytes` is the limit).
    pub fn memory_peak(&self) -> u64 {
        self.store.data().limiter.peak as u64
    }

    /// The component's name, for messages.
    pub fn component_name(&self) -> &str {
        &self.plugin.name
    }

    fn describe(&mut self) -> Result<Vec<PropertySpec>, PluginError> {
        let (props, _) = self.call(None, |exports, store| W::describe(exports, store).map(Ok))?;
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

    /// One call into the guest, the way every world's adapter makes it: a poisoned
    /// instance is replaced first, `batch` (if any) is what the guest's `batch` handle
    /// names for the duration of the call, the call gets the component's CPU budget,
    /// and a trap or a guest error becomes a typed [`PluginError`].
    ///
    /// The batch comes back with the result; a contract violation the guest committed
    /// through it (see [`HostBatch::violation`]) fails the call. The batch is taken out
    /// of the store even if a host function panics, so a borrowed batch
    /// ([`HostBatch::borrowed`]) never outlives the call.
    pub(crate) fn call<R>(
        &mut self,
        batch: Option<HostBatch>,
        f: impl FnOnce(&W::Exports, &mut Store<HostState>) -> wasmtime::Result<Result<R, WitError>>,
    ) -> Result<(R, Option<HostBatch>), PluginError> {
        if self.poisoned {
            self.recover()?;
        }
        self.store.data_mut().batch = batch;
        self.store.set_epoch_deadline(ticks(&self.plugin.limits));
        let result = catch_unwind(AssertUnwindSafe(|| f(&self.exports, &mut self.store)));
        let batch = self.store.data_mut().batch.take();
        let result = match result {
            Ok(r) => r,
            Err(panic) => resume_unwind(panic),
        };
        match result {
            Err(trap) => Err(self.trap_error(trap)),
            Ok(Err(e)) => Err(self.guest_error(e)),
            Ok(Ok(r)) => match batch.as_ref().and_then(|b| b.violation.clone()) {
                Some(v) => Err(self.contract_error(v)),
                None => Ok((r, batch)),
            },
        }
    }

    /// The guest returned something the contract forbids (e.g. a list of the wrong
    /// length).
    pub(crate) fn contract_error(&self, message: impl Into<String>) -> PluginError {
        PluginError::new(&self.plugin.name, PluginErrorKind::Contract(message.into()))
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
        PluginError::new(&self.plugin.name, kind)
    }

    /// Turns a trap into a typed error and poisons the instance.
    fn trap_error(&mut self, trap: wasmtime::Error) -> PluginError {
        self.poisoned = true;
        let limits = &self.plugin.limits;
        let kind = if trap.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            PluginErrorKind::Timeout {
                budget_ms: limits.cpu_budget.as_millis(),
            }
        } else if self.store.data().limiter.hit {
            PluginErrorKind::OutOfMemory {
                limit_bytes: usize::try_from(limits.memory_max_bytes).unwrap_or(usize::MAX),
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
        PluginError::new(&self.plugin.name, kind)
    }

    /// Replaces a poisoned instance with a fresh one (microseconds from `InstancePre`).
    fn recover(&mut self) -> Result<(), PluginError> {
        tracing::info!(component = %self.plugin.name, "re-instantiating the component after a failure");
        *self = Instance::start(self.plugin.clone())?;
        Ok(())
    }
}
