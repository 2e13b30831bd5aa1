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
struct Row {
    component: &'static str,
    group: &'static str,
    name: String,
    display_name: &'static str,
    ty: String,
    /// `None`: required.
    default: Option<&'static str>,
    importance: String,
    secret: bool,
    validator: Option<String>,
    recommended: &'static [&'static str],
    doc: String,
    /// For an alias row, the property it stands for.
    alias_of: Option<String>,
    aliases: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rows = rows(&Registry::standard().described());
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

fn rows(described: &[Described]) -> Vec<Row> {
    let mut rows = Vec::new();
    for d in described {
        for p in &d.def.properties {
            let full = |n: &str| format!("{}{n}", d.prefix);
            let main = row(d.def.component, p, full(p.name), p.doc.to_owned());
            let aliases: Vec<String> = p.deprecated_aliases.iter().map(|a| full(a)).collect();
            let alias_rows: Vec<Row> = aliases
                .iter()
                .map(|a| Row {
                    alias_of: Some(full(p.name)),
                    ..row(
                        d.def.component,
                        p,
                        a.clone(),
                        format!("Deprecated alias of `{}`.", full(p.name)),
                    )
                })
                .collect();
            rows.push(Row { aliases, ..main });
            rows.extend(alias_rows);
        }
    }
    rows
}

fn row(component: &'static str, p: &PropertyDef, name: String, doc: String) -> Row {
    Row {
        component,
        group: p.group,
        name,
        display_name: p.display_name,
        ty: p.ty.to_string(),
        default: p.default,
        importance: p.importance.to_string(),
        secret: p.is_secret(),
        validator: p.validator.as_ref().map(ToString::to_string),
        recommended: p.recommended,
        doc,
        alias_of: None,
        aliases: Vec::new(),
    }
}

fn to_json(r: &Row) -> Value {
    json!({
        "component": r.component,
        "group": r.group,
        "name": r.name,
        "display_name": r.display_name,
        "type": r.ty,
        "required": r.default.is_none(),
        "default": r.default,
        "importance": r.importance,
        "secret": r.secret,
        "validator": r.validator,
        "recommended": r.recommended,
        "documentation": r.doc,
        "deprecated_aliases": r.aliases,
        "deprecated_alias_of": r.alias_of,
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
                None => "(required)".to_owned(),
                Some("") => "\"\"".to_owned(),
                Some(d) => d.to_owned(),
            };
            let doc = match &r.validator {
                Some(v) => format!("{} Valid values: {v}.", r.doc),
                None => r.doc.clone(),
            };
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
        let rows = rows(&Registry::standard().described());
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
}
