//! `sluice config describe [--json]`: every declared property of every known component.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{Value, json};
use sluice_config::PropertyDef;

use sluice_runtime::{Described, Registry};

/// Arguments of `sluice config describe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

/// One line of the listing: a property, or a deprecated alias of one.
struct Row<'a> {
    component: &'a str,
    group: &'a str,
    name: String,
    display_name: &'a str,
    ty: String,
    /// `None`: required, or optional without a default (see `required`).
    default: Option<&'a str>,
    required: bool,
    importance: String,
    secret: bool,
    validator: Option<String>,
    recommended: Vec<&'a str>,
    doc: String,
    /// For an alias row, the property it stands for.
    alias_of: Option<String>,
    aliases: Vec<String>,
    /// Properties shown only depending on this one.
    dependents: Vec<String>,
    /// Shown only while this property (full key) has this value.
    visible_when: Option<(String, &'a str)>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut described = Registry::standard().described();
    // The daemon's own settings (`sluice run --worker FILE`).
    described.push(Described {
        prefix: "",
        def: crate::daemon::settings::DaemonSettings::config_def(),
    });
    let rows = rows(&described);
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<Value> = rows.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Every property of every definition, in Kafka Connect's order within each definition
/// (by group, then importance, then declaration order), each followed by its aliases.
fn rows(described: &[Described]) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    for d in described {
        let full = |n: &str| format!("{}{n}", d.prefix);
        for p in d.def.sorted() {
            let main = row(&d.def.component, p, full(&p.name), p.doc.to_string());
            let aliases: Vec<String> = p.deprecated_aliases.iter().map(full).collect();
            let alias_rows: Vec<Row> = aliases
                .iter()
                .map(|a| Row {
                    alias_of: Some(full(&p.name)),
                    ..row(
                        &d.def.component,
                        p,
                        a.clone(),
                        format!("Deprecated alias of `{}`.", full(&p.name)),
                    )
                })
                .collect();
            rows.push(Row {
                aliases,
                dependents: p.dependents.iter().map(full).collect(),
                visible_when: p
                    .visible_when
                    .as_ref()
                    .map(|w| (full(&w.property), w.equals.as_ref())),
                ..main
            });
            rows.extend(alias_rows);
        }
    }
    rows
}

fn row<'a>(component: &'a str, p: &'a PropertyDef, name: String, doc: String) -> Row<'a> {
    Row {
        component,
        group: &p.group,
        name,
        display_name: &p.display_name,
        ty: p.ty.to_string(),
        default: p.default.as_deref(),
        required: p.is_required(),
        importance: p.importance.to_string(),
        secret: p.is_secret(),
        validator: p.validator.as_ref().map(ToString::to_string),
        recommended: p.recommended.iter().collect(),
        doc,
        alias_of: None,
        aliases: Vec::new(),
        dependents: Vec::new(),
        visible_when: None,
    }
}

fn to_json(r: &Row) -> Value {
    json!({
        "component": r.component,
        "group": r.group,
        "name": r.name,
        "display_name": r.display_name,
        "type": r.ty,
        "required": r.required,
        "default": r.default,
        "importance": r.importance,
        "secret": r.secret,
        "validator": r.validator,
        "recommended": r.recommended,
        "documentation": r.doc,
        "deprecated_aliases": r.aliases,
        "deprecated_alias_of": r.alias_of,
        "dependents": r.dependents,
        "visible_when": r.visible_when.as_ref().map(|(property, value)| {
            json!({"property": property, "value": value})
        }),
    })
}

fn write_table(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    const HEADERS: [&str; 7] = [
        "COMPONENT",
        "GROUP",
        "NAME",
        "TYPE",
        "DEFAULT",
        "IMPORTANCE",
        "DOC",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let ty = if r.secret {
                format!("{} (secret)", r.ty)
            } else {
                r.ty.clone()
            };
            let default = match r.default {
                None if r.required => "(required)".to_owned(),
                None => "(none)".to_owned(),
                Some("") => "\"\"".to_owned(),
                Some(d) => d.to_owned(),
            };
            let mut doc = r.doc.clone();
            if let Some(v) = &r.validator {
                doc += &format!(" Valid values: {v}.");
            }
            // Kafka Connect hides such a property in its UIs while the condition is
            // false; a listing without values marks it instead.
            if let Some((property, value)) = &r.visible_when {
                doc += &format!(" Shown only when `{property}={value}`.");
            }
            [
                r.component.to_owned(),
                r.group.to_owned(),
                r.name.clone(),
                ty,
                default,
                r.importance.clone(),
                doc,
            ]
        })
        .collect();
    let mut widths = HEADERS.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cols: [&str; 7]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, col) in cols.iter().enumerate() {
            if i + 1 == cols.len() {
                text.push_str(col);
            } else {
                text.push_str(&format!("{col:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, HEADERS)?;
    for row in &cells {
        line(out, row.each_ref().map(String::as_str))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_get_their_own_rows_pointing_at_the_new_name() {
        let described = Registry::standard().described();
        let rows = rows(&described);
        let alias = rows
            .iter()
            .find(|r| r.name == "kinetica.allow_schema_evolution")
            .unwrap();
        assert_eq!(
            alias.alias_of.as_deref(),
            Some("kinetica.schema_evolution.enabled")
        );
        assert!(alias.doc.contains("`kinetica.schema_evolution.enabled`"));
        let new = rows
            .iter()
            .find(|r| r.name == "kinetica.schema_evolution.enabled")
            .unwrap();
        assert_eq!(new.aliases, ["kinetica.allow_schema_evolution"]);
    }

    #[test]
    fn the_table_flags_secrets_and_required_keys() {
        let mut out = Vec::new();
        write_table(&mut out, &rows(&Registry::standard().described())).unwrap();
        let text = String::from_utf8(out).unwrap();
        let pw = text
            .lines()
            .find(|l| l.contains("kinetica.password "))
            .unwrap();
        assert!(pw.contains("password (secret)"), "{pw}");
        let url = text.lines().find(|l| l.contains("kinetica.url ")).unwrap();
        assert!(url.contains("(required)"), "{url}");
    }

    /// Kafka Connect's order: high importance first within a group, then declaration
    /// order; aliases follow their property.
    #[test]
    fn properties_are_ordered_by_importance_within_their_group() {
        let described = Registry::standard().described();
        let rows = rows(&described);
        let sink: Vec<&str> = rows
            .iter()
            .filter(|r| r.component == "kinetica-sink" && r.alias_of.is_none())
            .map(|r| r.name.strip_prefix("kinetica.").unwrap())
            .collect();
        // The Java connector's high and medium properties in its display order; Sluice's
        // own medium ones (TLS, exactly-once) follow them, the low ones come after.
        assert_eq!(
            sink[..6],
            [
                "url",
                "tables.schema_name",
                "tables.prefix",
                "tables.destination_name",
                "username",
                "password",
            ]
        );
        let importance: Vec<&str> = rows
            .iter()
            .filter(|r| r.component == "kinetica-sink")
            .map(|r| r.importance.as_str())
            .collect();
        let mut sorted = importance.clone();
        sorted.sort_by_key(|i| ["high", "medium", "low"].iter().position(|x| x == i));
        assert_eq!(importance, sorted);
    }

    #[test]
    fn conditionally_visible_properties_are_marked() {
        let described = Registry::standard().described();
        let rows = rows(&described);
        let enabled = rows
            .iter()
            .find(|r| r.name == "kinetica.schema_evolution.enabled")
            .unwrap();
        assert_eq!(
            enabled.dependents,
            [
                "kinetica.schema_evolution.add_new_fields_as_columns",
                "kinetica.schema_evolution.make_missing_field_nullable",
            ]
        );
        let json = to_json(
            rows.iter()
                .find(|r| r.name == "kinetica.schema_evolution.add_new_fields_as_columns")
                .unwrap(),
        );
        assert_eq!(
            json["visible_when"],
            json!({"property": "kinetica.schema_evolution.enabled", "value": "true"})
        );
        let mut out = Vec::new();
        write_table(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("kinetica.schema_evolution.make_missing_field_nullable "))
            .unwrap();
        assert!(
            line.ends_with("Shown only when `kinetica.schema_evolution.enabled=true`."),
            "{line}"
        );
    }
}
