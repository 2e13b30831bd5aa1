//! `/alter/table` and `/alter/table/columns`: column changes rewrite the
//! table's type and migrate its rows; other actions are accepted as no-ops
//! unless they change names.

use sluice_kinetica::protocol::*;
use sluice_kinetica::{BaseType, Column, KineticaType, Options, Value};

use crate::db::{ApiError, ApiResult, Catalog, Db, qualify};

/// One column change, from either endpoint's parameters.
struct ColumnChange<'a> {
    action: &'a str,
    column: &'a str,
    column_type: Option<&'a str>,
    properties: Option<&'a str>,
    default: Option<&'a str>,
    rename: Option<&'a str>,
}

impl<'a> ColumnChange<'a> {
    fn from_map(action: &'a str, column: &'a str, m: &'a Options) -> Self {
        ColumnChange {
            action,
            column,
            column_type: m.get("column_type").map(String::as_str),
            properties: m.get("column_properties").map(String::as_str),
            default: m.get("column_default_value").map(String::as_str),
            rename: m
                .get("rename_column")
                .or_else(|| m.get("new_column_name"))
                .map(String::as_str)
                .filter(|s| !s.is_empty()),
        }
    }
}

/// Builds a column from a type name (base or Kinetica, e.g. `char16`) and a
/// comma-separated property list.
fn build_column(name: &str, column_type: &str, properties: Option<&str>) -> ApiResult<Column> {
    let mut spec = vec![name.to_owned(), column_type.trim().to_owned()];
    spec.extend(
        properties
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    );
    let ty = KineticaType::from_column_list(&[spec]).map_err(|e| ApiError::new(e.to_string()))?;
    Ok(ty.columns()[0].clone())
}

/// The value existing rows get in a new column.
fn default_value(col: &Column, default: Option<&str>) -> ApiResult<Value> {
    let Some(text) = default.filter(|d| !d.is_empty()) else {
        return Ok(if col.nullable {
            Value::Null
        } else {
            zero(col.base)
        });
    };
    convert(Value::String(text.to_owned()), col).map_err(|e| {
        ApiError::new(format!(
            "Invalid default value for column '{}': {e}",
            col.name
        ))
    })
}

fn zero(base: BaseType) -> Value {
    match base {
        BaseType::Int => Value::Int(0),
        BaseType::Long => Value::Long(0),
        BaseType::Float => Value::Float(0.0),
        BaseType::Double => Value::Double(0.0),
        BaseType::String => Value::String(String::new()),
        BaseType::Bytes => Value::Bytes(Vec::new()),
    }
}

/// Converts a stored value to a changed column's base type.
fn convert(v: Value, to: &Column) -> Result<Value, String> {
    let text = |v: &Value| match v {
        Value::Int(x) => x.to_string(),
        Value::Long(x) => x.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Double(x) => x.to_string(),
        Value::String(s) => s.clone(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Null => String::new(),
    };
    let bad = |v: &Value| format!("cannot convert {v:?} to {}", to.base);
    Ok(match (to.base, v) {
        (_, Value::Null) if to.nullable => Value::Null,
        (_, Value::Null) => return Err("null value in a non-nullable column".into()),
        (BaseType::Int, Value::Int(x)) => Value::Int(x),
        (BaseType::Long, Value::Long(x)) => Value::Long(x),
        (BaseType::Long, Value::Int(x)) => Value::Long(x.into()),
        (BaseType::Float, Value::Float(x)) => Value::Float(x),
        (BaseType::Double, Value::Double(x)) => Value::Double(x),
        (BaseType::Double, Value::Float(x)) => Value::Double(x.into()),
        (BaseType::Bytes, Value::Bytes(b)) => Value::Bytes(b),
        (BaseType::Bytes, Value::String(s)) => Value::Bytes(s.into_bytes()),
        (BaseType::String, v) => Value::String(text(&v)),
        (BaseType::Int, v) => Value::Int(text(&v).trim().parse().map_err(|_| bad(&v))?),
        (BaseType::Long, v) => Value::Long(text(&v).trim().parse().map_err(|_| bad(&v))?),
        (BaseType::Float, v) => Value::Float(text(&v).trim().parse().map_err(|_| bad(&v))?),
        (BaseType::Double, v) => Value::Double(text(&v).trim().parse().map_err(|_| bad(&v))?),
        (BaseType::Bytes, v) => return Err(bad(&v)),
    })
}

impl Catalog {
    /// Applies one column change to table `qualified`.
    fn change_column(&mut self, qualified: &str, c: &ColumnChange<'_>) -> ApiResult<()> {
        let table = self
            .tables
            .get(qualified)
            .ok_or_else(|| crate::endpoints::catalog::not_found(qualified))?;
        let mut columns = table.ty.columns().to_vec();
        let mut rows = table.rows.clone();
        let pos = columns.iter().position(|col| col.name == c.column);
        match c.action {
            "add_column" => {
                if pos.is_some() {
                    return Err(ApiError::new(format!(
                        "Column '{}' already exists in table '{qualified}'",
                        c.column
                    )));
                }
                let ty = c
                    .column_type
                    .ok_or_else(|| ApiError::new("add_column requires column_type"))?;
                let col = build_column(c.column, ty, c.properties)?;
                // Existing rows need a value: null, or the default. Kinetica refuses a
                // required column without a default unless the table is empty.
                if !col.nullable && c.default.is_none_or(str::is_empty) && !rows.is_empty() {
                    return Err(ApiError::new(format!(
                        "Cannot add non-nullable column '{}' without a default value to \
                         non-empty table '{qualified}'",
                        c.column
                    )));
                }
                let value = default_value(&col, c.default)?;
                for r in &mut rows {
                    r.push(value.clone());
                }
                columns.push(col);
            }
            "delete_column" => {
                let i = pos.ok_or_else(|| unknown_column(c.column, qualified))?;
                if columns[i].is_primary_key() || columns[i].is_shard_key() {
                    return Err(ApiError::new(format!(
                        "Cannot delete key column '{}'",
                        c.column
                    )));
                }
                columns.remove(i);
                for r in &mut rows {
                    r.remove(i);
                }
            }
            "change_column" => {
                let i = pos.ok_or_else(|| unknown_column(c.column, qualified))?;
                let old = &columns[i];
                let new_name = c.rename.unwrap_or(c.column);
                let mut col = match c.column_type {
                    Some(t) => build_column(new_name, t, c.properties)?,
                    None => {
                        let mut col = build_column(new_name, old.base.as_str(), c.properties)?;
                        if c.properties.is_none() {
                            col = old.clone();
                            col.name = new_name.to_owned();
                        }
                        col
                    }
                };
                // Primary-key and shard-key columns cannot be changed
                // (docs/reference/kinetica-rest-protocol.md, `/alter/table`); a rename
                // that keeps the column as it is goes through.
                if old.is_primary_key() || old.is_shard_key() {
                    let mut same = old.clone();
                    same.name = new_name.to_owned();
                    if !same_column(&col, &same) {
                        return Err(ApiError::new(format!(
                            "Cannot change primary key or shard key column '{}'",
                            c.column
                        )));
                    }
                    col = same;
                }
                for r in &mut rows {
                    let v = std::mem::replace(&mut r[i], Value::Null);
                    r[i] = convert(v, &col).map_err(|e| {
                        ApiError::new(format!("Cannot change column '{}': {e}", c.column))
                    })?;
                }
                columns[i] = col;
            }
            other => {
                return Err(ApiError::new(format!(
                    "Unsupported column alteration '{other}'"
                )));
            }
        }
        let ty = KineticaType::new(columns).map_err(|e| ApiError::new(e.to_string()))?;
        let type_id = self.register_type(ty.clone(), "");
        let table = self.tables.get_mut(qualified).expect("checked above");
        table.rows = rows;
        table.set_type(type_id, ty);
        Ok(())
    }

    /// Renames or moves a table (`rename_table`, `move_to_schema`).
    fn move_table(&mut self, from: &str, to_schema: &str, to_name: &str) -> ApiResult<String> {
        if !self.schemas.contains(to_schema) {
            return Err(ApiError::new(format!(
                "Schema '{to_schema}' does not exist"
            )));
        }
        let to = format!("{to_schema}.{to_name}");
        if self.tables.contains_key(&to) {
            return Err(ApiError::new(format!("Table '{to}' already exists")));
        }
        let mut t = self
            .tables
            .remove(from)
            .ok_or_else(|| crate::endpoints::catalog::not_found(from))?;
        t.name = to.clone();
        t.schema = to_schema.to_owned();
        self.tables.insert(to.clone(), t);
        Ok(to)
    }
}

/// Equal columns, whatever order their properties were listed in.
fn same_column(a: &Column, b: &Column) -> bool {
    let sorted = |c: &Column| {
        let mut p = c.properties.clone();
        p.sort();
        p
    };
    a.base == b.base && a.nullable == b.nullable && sorted(a) == sorted(b)
}

fn unknown_column(column: &str, table: &str) -> ApiError {
    ApiError::new(format!(
        "Column '{column}' does not exist in table '{table}'"
    ))
}

impl Db {
    pub fn alter_table(&self, req: AlterTableRequest) -> ApiResult<AlterTableResponse> {
        let (schema, mut qualified) = qualify(&req.table_name)?;
        let mut cat = self.write();
        cat.table(&qualified)?;
        match req.action.as_str() {
            "add_column" | "delete_column" | "change_column" => {
                let change = ColumnChange::from_map(&req.action, &req.value, &req.options);
                cat.change_column(&qualified, &change)?;
            }
            "rename_table" => {
                let (s, n) = match req.value.split_once('.') {
                    Some((s, n)) => (s.to_owned(), n.to_owned()),
                    None => (schema, req.value.clone()),
                };
                qualified = cat.move_table(&qualified, &s, &n)?;
            }
            "move_to_schema" | "move_to_collection" => {
                let name = qualified
                    .split_once('.')
                    .map(|(_, n)| n.to_owned())
                    .unwrap_or_default();
                qualified = cat.move_table(&qualified, &req.value, &name)?;
            }
            // Indexes, TTLs, access modes, partitions…: nothing to emulate.
            _ => {}
        }
        let t = cat.table(&qualified)?;
        Ok(AlterTableResponse {
            table_name: req.table_name,
            action: req.action,
            value: req.value,
            type_id: t.type_id.clone(),
            type_definition: t.ty.type_definition(),
            properties: t.ty.properties(),
            label: String::new(),
            info: Options::from([("qualified_table_name".into(), qualified.clone())]),
        })
    }

    pub fn alter_table_columns(
        &self,
        req: AlterTableColumnsRequest,
    ) -> ApiResult<AlterTableColumnsResponse> {
        let (_, qualified) = qualify(&req.table_name)?;
        let mut cat = self.write();
        cat.table(&qualified)?;
        for alt in &req.column_alterations {
            let action = alt.get("action").map(String::as_str).unwrap_or("");
            let column = alt.get("column_name").map(String::as_str).unwrap_or("");
            if column.is_empty() {
                return Err(ApiError::new("column_name is required in each alteration"));
            }
            cat.change_column(&qualified, &ColumnChange::from_map(action, column, alt))?;
        }
        let t = cat.table(&qualified)?;
        Ok(AlterTableColumnsResponse {
            table_name: req.table_name,
            type_id: t.type_id.clone(),
            type_definition: t.ty.type_definition(),
            properties: t.ty.properties(),
            label: String::new(),
            column_alterations: req.column_alterations,
            info: Options::new(),
        })
    }
}
