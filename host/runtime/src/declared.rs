//! A Wasm component's self-described properties as a [`ConfigDef`], so its group is
//! checked exactly like a compiled-in component's: unknown keys with suggestions,
//! missing required ones, types.

use sluice_config::{ConfigDef, PropertyDef, PropertyType};
use sluice_engine::PropertySpec;

fn property_type(ty: &str) -> PropertyType {
    match ty {
        "int" => PropertyType::Int,
        "long" => PropertyType::Long,
        "double" => PropertyType::Double,
        "boolean" => PropertyType::Boolean,
        "list" => PropertyType::List,
        "password" => PropertyType::Password,
        // The engine only reports the WIT's types; anything else reads as text.
        _ => PropertyType::String,
    }
}

/// A value of type `ty` that parses, standing in for "no default": the checked values
/// are thrown away (the component gets its group as written), only problems count.
fn placeholder(ty: &PropertyType) -> &'static str {
    match ty {
        PropertyType::Int | PropertyType::Long | PropertyType::Double => "0",
        PropertyType::Boolean => "false",
        _ => "",
    }
}

/// The definition of component `component` from what it declared.
///
/// A property without a default is *not* taken as required: guests declare optional
/// properties that way too (mask-field's `replacement`), and check the ones they need
/// in `configure`, whose message then names them. So this catches unknown keys (with
/// suggestions) and values of the wrong type.
pub(crate) fn config_def(component: &str, specs: &[PropertySpec]) -> ConfigDef {
    let properties = specs
        .iter()
        .map(|s| {
            let ty = property_type(s.ty);
            let default = match &s.default {
                Some(d) => d.clone(),
                None => placeholder(&ty).to_owned(),
            };
            let mut def = PropertyDef::described(s.name.clone(), ty, s.doc.clone());
            def.default = Some(default.into());
            def
        })
        .collect();
    ConfigDef::new(component.to_owned(), properties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_become_definitions() {
        let specs = [
            PropertySpec {
                name: "fields".into(),
                ty: "list",
                default: None,
                doc: "Fields.".into(),
            },
            PropertySpec {
                name: "part".into(),
                ty: "string",
                default: Some("value".into()),
                doc: "Part.".into(),
            },
        ];
        let def = config_def("mask-field", &specs);
        assert_eq!(def.component, "mask-field");
        let fields = def.get("fields").unwrap();
        assert!(!fields.is_required(), "the component checks what it needs");
        assert_eq!(fields.ty, PropertyType::List);
        assert_eq!(def.get("part").unwrap().default.as_deref(), Some("value"));
    }
}
