//! Which `sluice:plugin` world a component implements, read from its exports.

use wasmtime::Engine;
use wasmtime::component::Component;

/// The package every world lives in; exports are named `sluice:plugin/<iface>@<version>`.
const PACKAGE: &str = "sluice:plugin/";

/// The plugin worlds of `wit/plugin.wit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorldKind {
    Transform,
    Predicate,
    Converter,
    Flattener,
}

impl WorldKind {
    /// The interface a component of this world exports besides `configurable`.
    pub fn interface(self) -> &'static str {
        match self {
            WorldKind::Transform => "transform-records",
            WorldKind::Predicate => "test-records",
            WorldKind::Converter => "convert-records",
            WorldKind::Flattener => "flatten-records",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WorldKind::Transform => "transform",
            WorldKind::Predicate => "predicate",
            WorldKind::Converter => "converter",
            WorldKind::Flattener => "flattener",
        }
    }

    const ALL: [WorldKind; 4] = [
        WorldKind::Transform,
        WorldKind::Predicate,
        WorldKind::Converter,
        WorldKind::Flattener,
    ];
}

fn exports_interface(names: &[String], interface: &str) -> bool {
    names.iter().any(|n| {
        n.strip_prefix(PACKAGE)
            .and_then(|rest| rest.split('@').next())
            .is_some_and(|i| i == interface)
    })
}

/// Checks that `component` implements `expected`; the error says what it implements
/// instead, so a user who loaded a predicate as a transform knows at once.
pub fn check(engine: &Engine, component: &Component, expected: WorldKind) -> Result<(), String> {
    let names: Vec<String> = component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let has_config = exports_interface(&names, "configurable");
    if has_config && exports_interface(&names, expected.interface()) {
        return Ok(());
    }
    let found = WorldKind::ALL
        .iter()
        .find(|w| exports_interface(&names, w.interface()));
    Err(match found {
        Some(w) => format!(
            "it is a {} (exports {PACKAGE}{}) but a {} was expected (exporting {PACKAGE}{} and {PACKAGE}configurable)",
            w.name(),
            w.interface(),
            expected.name(),
            expected.interface()
        ),
        None => format!(
            "it exports [{}] but a {} must export {PACKAGE}{} and {PACKAGE}configurable; build it against wit/plugin.wit's `{}` world",
            names.join(", "),
            expected.name(),
            expected.interface(),
            expected.name()
        ),
    })
}
