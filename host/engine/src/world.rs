//! Which `sluice:plugin` world a component implements, read from its exports.

use wasmtime::Engine;
use wasmtime::component::Component;

/// The package every world lives in; exports are named `sluice:plugin/<iface>@<version>`.
const PACKAGE: &str = "sluice:plugin/";

/// The version of `wit/plugin.wit` this engine serves. Before 1.0 every minor version
/// may break the contract (0.2.0 changed the converter's), so a component built
/// against another version is refused with a message saying so.
pub const VERSION: &str = "0.2.0";

/// The plugin worlds of `wit/plugin.wit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorldKind {
    /// The `transform` world: changes, drops, rejects or adds records.
    Transform,
    /// The `predicate` world: selects the records a transform applies to.
    Predicate,
    /// The `converter` world: bytes ⇄ schema and value.
    Converter,
    /// The `flattener` world: nested values → flat structs, one column per field.
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

    /// The world's name in `wit/plugin.wit` (`transform`, `predicate`, …).
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

/// The version of `interface` that `names` export, if they export it.
fn exported_version<'n>(names: &'n [String], interface: &str) -> Option<&'n str> {
    names.iter().find_map(|n| {
        let (i, version) = n.strip_prefix(PACKAGE)?.split_once('@')?;
        (i == interface).then_some(version)
    })
}

fn exports_interface(names: &[String], interface: &str) -> bool {
    exported_version(names, interface) == Some(VERSION)
}

/// Checks that `component` implements `expected`; the error says what it implements
/// instead, so a user who loaded a predicate as a transform knows at once.
pub fn check(engine: &Engine, component: &Component, expected: WorldKind) -> Result<(), String> {
    let names: Vec<String> = component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    check_names(&names, expected)
}

fn check_names(names: &[String], expected: WorldKind) -> Result<(), String> {
    let has_config = exports_interface(names, "configurable");
    if has_config && exports_interface(names, expected.interface()) {
        return Ok(());
    }
    if let Some(v) = exported_version(names, expected.interface()).filter(|v| *v != VERSION) {
        return Err(format!(
            "it was built against sluice:plugin@{v}, but this Sluice serves sluice:plugin@{VERSION}; \
             rebuild it against wit/plugin.wit"
        ));
    }
    let found = WorldKind::ALL
        .iter()
        .find(|w| exported_version(names, w.interface()).is_some());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(version: &str, interface: &str) -> Vec<String> {
        vec![
            format!("{PACKAGE}configurable@{version}"),
            format!("{PACKAGE}{interface}@{version}"),
        ]
    }

    #[test]
    fn a_component_of_another_contract_version_is_told_to_rebuild() {
        assert_eq!(
            check_names(&names(VERSION, "convert-records"), WorldKind::Converter),
            Ok(())
        );
        let err =
            check_names(&names("0.1.0", "convert-records"), WorldKind::Converter).unwrap_err();
        assert!(err.contains("sluice:plugin@0.1.0"), "{err}");
        assert!(err.contains(&format!("sluice:plugin@{VERSION}")), "{err}");
        // Another world of another version is still named for what it is.
        let err = check_names(&names("0.1.0", "test-records"), WorldKind::Transform).unwrap_err();
        assert!(err.contains("it is a predicate"), "{err}");
    }
}
