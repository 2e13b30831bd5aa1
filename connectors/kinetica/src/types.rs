//! Kinetica's type model: a record schema (`type_definition`) plus per-column
//! properties, as exchanged by `/create/type`, `/show/table` and `/show/types`.
//!
//! A [`KineticaType`] is parsed once per table and then drives row encoding,
//! decoding and shard-key hashing, so the per-column facts those need (base type,
//! nullability, key membership, the property that changes key bytes) are resolved
//! here rather than re-read from property strings per row.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

/// Property names Kinetica attaches to columns (`GPUdbColumnProperty`), with
/// their meaning per docs/reference/kinetica-rest-protocol.md §7.2.
pub mod prop {
    /// `data`: the default for a queryable column; servers may echo it on every column that is not
    /// `store_only`, and type comparison ignores it.
    pub const DATA: &str = "data";
    /// `text_search`: the string column is full-text indexed; type comparison ignores it.
    pub const TEXT_SEARCH: &str = "text_search";
    /// `store_only`: the column is stored but cannot be queried.
    pub const STORE_ONLY: &str = "store_only";
    /// `primary_key`: the column is part of the primary key, which is also the routing key when
    /// there is no shard key (docs/reference/kinetica-rest-protocol.md §8.2).
    pub const PRIMARY_KEY: &str = "primary_key";
    /// `soft_primary_key`: key membership like `primary_key`, but never part of the routing key
    /// computed here.
    pub const SOFT_PRIMARY_KEY: &str = "soft_primary_key";
    /// `shard_key`: the column is part of the shard key, which decides the rank a record goes to
    /// (docs/reference/kinetica-rest-protocol.md §8.2).
    pub const SHARD_KEY: &str = "shard_key";
    /// `nullable`: the column accepts null; its schema type must be `[T,"null"]` (null second).
    pub const NULLABLE: &str = "nullable";
    /// `timestamp` on `long`: milliseconds since the Unix epoch (UTC).
    pub const TIMESTAMP: &str = "timestamp";
    /// `date` on `string`: `"YYYY-MM-DD"`.
    pub const DATE: &str = "date";
    /// `time` on `string`: `"HH:MM:SS[.mmm]"`.
    pub const TIME: &str = "time";
    /// `datetime` on `string`: `"YYYY-MM-DD HH:MM:SS[.mmm]"`.
    pub const DATETIME: &str = "datetime";
    /// `decimal` on `string`: decimal text such as `"123.4500"`; plain `decimal` is NUMERIC(18,4),
    /// `decimal(P,S)` sets precision and scale.
    pub const DECIMAL: &str = "decimal";
    /// `ipv4` on `string`: a dotted quad `"A.B.C.D"`.
    pub const IPV4: &str = "ipv4";
    /// `ulong` on `string`: decimal text from 0 to 2^64−1.
    pub const ULONG: &str = "ulong";
    /// `uuid` on `string`: the hyphenated 32-hex-digit form `"xxxxxxxx-xxxx-…"`.
    pub const UUID: &str = "uuid";
    /// `int8` on `int`: a value in −128..=127.
    pub const INT8: &str = "int8";
    /// `int16` on `int`: a value in −32768..=32767.
    pub const INT16: &str = "int16";
    /// `boolean` on `int`: 0 or 1.
    pub const BOOLEAN: &str = "boolean";
}

/// An Avro base type of a Kinetica column: how its values travel on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// Avro `int`: a 32-bit signed integer, zig-zag varint on the wire; also
    /// carries `int8`, `int16` and `boolean` columns.
    Int,
    /// Avro `long`: a 64-bit signed integer, zig-zag varint on the wire; also
    /// carries `timestamp` columns (milliseconds since the epoch).
    Long,
    /// Avro `float`: IEEE-754 single precision, 4 bytes little-endian.
    Float,
    /// Avro `double`: IEEE-754 double precision, 8 bytes little-endian.
    Double,
    /// Avro `string`: length-prefixed UTF-8; also carries `charN`, `date`, `time`,
    /// `datetime`, `decimal`, `ipv4`, `ulong`, `uuid` and other text-typed columns.
    String,
    /// Avro `bytes`: length-prefixed raw bytes (e.g. `wkt` as WKB, `vector(N)`).
    Bytes,
}

impl BaseType {
    /// The Avro type name (`"int"`, `"long"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            BaseType::Int => "int",
            BaseType::Long => "long",
            BaseType::Float => "float",
            BaseType::Double => "double",
            BaseType::String => "string",
            BaseType::Bytes => "bytes",
        }
    }

    /// Parses an Avro type name; `None` for anything outside Kinetica's subset.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "int" => BaseType::Int,
            "long" => BaseType::Long,
            "float" => BaseType::Float,
            "double" => BaseType::Double,
            "string" => BaseType::String,
            "bytes" => BaseType::Bytes,
            _ => return None,
        })
    }
}

impl std::fmt::Display for BaseType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The property that gives a column a more specific meaning than its base type.
/// It decides the column's shard-key bytes (docs/reference/kinetica-rest-protocol.md §8.3) and value checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// No type-changing property: the base type alone.
    Plain,
    /// `int8` on `int`: range −128..=127; 1 key byte.
    Int8,
    /// `int16` on `int`: range −32768..=32767; 2 key bytes.
    Int16,
    /// `boolean` on `int`: 0 or 1; 1 key byte.
    Boolean,
    /// `charN`, N in 1,2,4,…,256.
    Char(u16),
    /// `date` on `string` (`"YYYY-MM-DD"`); 4 packed key bytes.
    Date,
    /// `time` on `string` (`"HH:MM:SS[.mmm]"`); 4 packed key bytes.
    Time,
    /// `datetime` on `string` (`"YYYY-MM-DD HH:MM:SS[.mmm]"`); 8 packed key bytes.
    DateTime,
    /// `long` milliseconds since the epoch.
    Timestamp,
    /// `decimal(P,S)`; plain `decimal` is (18,4).
    Decimal {
        /// Total number of decimal digits (P); at most 18 gives 8 key bytes, more gives 12.
        precision: u8,
        /// Digits after the decimal point (S).
        scale: u8,
    },
    /// `ipv4` on `string` (`"A.B.C.D"`); 4 key bytes.
    Ipv4,
    /// `ulong` on `string` (decimal text, 0 to 2^64−1); 8 key bytes.
    Ulong,
    /// `uuid` on `string`; 16 key bytes.
    Uuid,
}

impl ColumnKind {
    /// Derives the kind from a column's properties (the first type-changing one wins).
    pub fn from_properties<S: AsRef<str>>(props: &[S]) -> Self {
        for p in props {
            let p = p.as_ref();
            let kind = match p {
                prop::INT8 => ColumnKind::Int8,
                prop::INT16 => ColumnKind::Int16,
                prop::BOOLEAN => ColumnKind::Boolean,
                prop::DATE => ColumnKind::Date,
                prop::TIME => ColumnKind::Time,
                prop::DATETIME => ColumnKind::DateTime,
                prop::TIMESTAMP => ColumnKind::Timestamp,
                prop::IPV4 => ColumnKind::Ipv4,
                prop::ULONG => ColumnKind::Ulong,
                prop::UUID => ColumnKind::Uuid,
                prop::DECIMAL => ColumnKind::Decimal {
                    precision: 18,
                    scale: 4,
                },
                _ => {
                    if let Some(n) = p.strip_prefix("char").and_then(|n| n.parse::<u16>().ok()) {
                        ColumnKind::Char(n)
                    } else if let Some((precision, scale)) = parse_decimal(p) {
                        ColumnKind::Decimal { precision, scale }
                    } else {
                        continue;
                    }
                }
            };
            return kind;
        }
        ColumnKind::Plain
    }
}

/// Parses `decimal(P,S)` or `decimal(P)`.
fn parse_decimal(p: &str) -> Option<(u8, u8)> {
    let inner = p.strip_prefix("decimal(")?.strip_suffix(')')?;
    let mut parts = inner.split(',');
    let precision = parts.next()?.trim().parse().ok()?;
    let scale = match parts.next() {
        Some(s) => s.trim().parse().ok()?,
        None => 0,
    };
    Some((precision, scale))
}

/// One column of a Kinetica type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name (the Avro field name).
    pub name: String,
    /// Wire type.
    pub base: BaseType,
    /// `[T,"null"]` in the schema (and the `nullable` property).
    pub nullable: bool,
    /// Column properties as Kinetica lists them (`primary_key`, `char16`, …), not
    /// including `nullable` and `data`, which are derived.
    pub properties: Vec<String>,
    kind: ColumnKind,
}

impl Column {
    /// A non-nullable column with no properties.
    pub fn new(name: impl Into<String>, base: BaseType) -> Self {
        Column {
            name: name.into(),
            base,
            nullable: false,
            properties: Vec::new(),
            kind: ColumnKind::Plain,
        }
    }

    /// Adds a property; `nullable` sets [`Column::nullable`] instead of being stored.
    pub fn with_property(mut self, p: impl Into<String>) -> Self {
        let p = p.into();
        if p == prop::NULLABLE {
            self.nullable = true;
        } else if p != prop::DATA && !self.properties.contains(&p) {
            self.properties.push(p);
            self.kind = ColumnKind::from_properties(&self.properties);
        }
        self
    }

    /// Adds several properties (see [`Column::with_property`]).
    pub fn with_properties<I, S>(self, props: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        props.into_iter().fold(self, |c, p| c.with_property(p))
    }

    /// Marks the column nullable.
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// The type-changing property, resolved.
    pub fn kind(&self) -> ColumnKind {
        self.kind
    }

    /// Whether the column carries property `p`.
    pub fn has_property(&self, p: &str) -> bool {
        (p == prop::NULLABLE && self.nullable) || self.properties.iter().any(|x| x == p)
    }

    /// Member of the primary key.
    pub fn is_primary_key(&self) -> bool {
        self.has_property(prop::PRIMARY_KEY)
    }

    /// Member of the shard key.
    pub fn is_shard_key(&self) -> bool {
        self.has_property(prop::SHARD_KEY)
    }

    /// The properties as sent to `/create/type`: the stored ones plus `nullable`.
    pub fn wire_properties(&self) -> Vec<String> {
        let mut v = self.properties.clone();
        if self.nullable {
            v.push(prop::NULLABLE.to_owned());
        }
        v
    }
}

/// A schema that is not a Kinetica type definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Kinetica type: {0}")]
pub struct TypeError(pub String);

/// A Kinetica record type: ordered columns (the order is the Avro wire order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KineticaType {
    columns: Vec<Column>,
    /// Indexes of the routing-key columns, in declaration order (docs/reference/kinetica-rest-protocol.md §8.2).
    key_columns: Vec<usize>,
}

impl KineticaType {
    /// Builds a type from columns. Fails on an empty list or duplicate names.
    pub fn new(columns: Vec<Column>) -> Result<Self, TypeError> {
        if columns.is_empty() {
            return Err(TypeError("a type needs at least one column".into()));
        }
        for (i, c) in columns.iter().enumerate() {
            if c.name.is_empty() {
                return Err(TypeError(format!("column {i} has an empty name")));
            }
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(TypeError(format!("duplicate column name '{}'", c.name)));
            }
        }
        // Shard key wins over primary key when both exist (docs/reference/kinetica-rest-protocol.md §8.2).
        let mut key_columns: Vec<usize> = (0..columns.len())
            .filter(|&i| columns[i].is_shard_key())
            .collect();
        if key_columns.is_empty() {
            key_columns = (0..columns.len())
                .filter(|&i| columns[i].is_primary_key())
                .collect();
        }
        Ok(KineticaType {
            columns,
            key_columns,
        })
    }

    /// Parses a `type_definition` (Avro record schema JSON text) and its
    /// `properties` map, as returned by `/create/type` or `/show/table`.
    pub fn from_schema(
        type_definition: &str,
        properties: &BTreeMap<String, Vec<String>>,
    ) -> Result<Self, TypeError> {
        let schema: Json = serde_json::from_str(type_definition)
            .map_err(|e| TypeError(format!("type definition is not JSON: {e}")))?;
        let fields = schema
            .get("fields")
            .and_then(Json::as_array)
            .ok_or_else(|| TypeError("type definition has no 'fields' array".into()))?;
        let mut columns = Vec::with_capacity(fields.len());
        for f in fields {
            let name = f
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| TypeError("field without a name".into()))?;
            let (base, nullable) = parse_field_type(name, f.get("type"))?;
            let mut col = Column::new(name, base);
            col.nullable = nullable;
            if let Some(props) = properties.get(name) {
                col = col.with_properties(props.iter().cloned());
            }
            columns.push(col);
        }
        Self::new(columns)
    }

    /// Builds a type from the Python client's column-list form:
    /// `[["id","int","primary_key"],["name","string","char16"],…]`, where the
    /// second element may also be a Kinetica type name like `int8` or `char16`.
    pub fn from_column_list<R, S>(rows: &[R]) -> Result<Self, TypeError>
    where
        R: AsRef<[S]>,
        S: AsRef<str>,
    {
        let mut columns = Vec::with_capacity(rows.len());
        for r in rows {
            let r = r.as_ref();
            let (Some(name), Some(ty)) = (r.first(), r.get(1)) else {
                return Err(TypeError("column needs a name and a type".into()));
            };
            let ty = ty.as_ref();
            let (base, implied) = match BaseType::parse(ty) {
                Some(b) => (b, None),
                None => (implied_base(ty)?, Some(ty.to_owned())),
            };
            let mut col = Column::new(name.as_ref(), base);
            if let Some(p) = implied {
                col = col.with_property(p);
            }
            col = col.with_properties(r[2..].iter().map(|s| s.as_ref().to_owned()));
            columns.push(col);
        }
        Self::new(columns)
    }

    /// The columns, in wire order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The routing-key columns (shard key, else primary key) in declaration order.
    /// Empty for a table that is distributed randomly.
    pub fn key_columns(&self) -> &[usize] {
        &self.key_columns
    }

    /// Primary-key column indexes in declaration order.
    pub fn primary_key_columns(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| self.columns[i].is_primary_key())
            .collect()
    }

    /// The Avro record schema text for `/create/type` (record name `type_name`,
    /// nullable columns as `[T,"null"]` with null second).
    pub fn type_definition(&self) -> String {
        let fields: Vec<Json> = self
            .columns
            .iter()
            .map(|c| {
                let ty = if c.nullable {
                    json!([c.base.as_str(), "null"])
                } else {
                    json!(c.base.as_str())
                };
                json!({"name": c.name, "type": ty})
            })
            .collect();
        json!({"type": "record", "name": "type_name", "fields": fields}).to_string()
    }

    /// The `properties` map for `/create/type`: columns without properties are
    /// left out, as the official clients do.
    pub fn properties(&self) -> BTreeMap<String, Vec<String>> {
        self.columns
            .iter()
            .filter_map(|c| {
                let p = c.wire_properties();
                (!p.is_empty()).then(|| (c.name.clone(), p))
            })
            .collect()
    }

    /// Compares two types the way `GPUdbTable` does: same names, base types and
    /// nullability in the same order, and the same property sets ignoring `data`
    /// and `text_search`.
    pub fn same_as(&self, other: &KineticaType) -> bool {
        fn norm(c: &Column) -> Vec<&str> {
            let mut v: Vec<&str> = c
                .properties
                .iter()
                .map(String::as_str)
                .filter(|p| *p != prop::DATA && *p != prop::TEXT_SEARCH)
                .collect();
            v.sort_unstable();
            v
        }
        self.columns.len() == other.columns.len()
            && self.columns.iter().zip(&other.columns).all(|(a, b)| {
                a.name == b.name
                    && a.base == b.base
                    && a.nullable == b.nullable
                    && norm(a) == norm(b)
            })
    }
}

/// The base type implied by a Kinetica type name used in place of an Avro one.
fn implied_base(ty: &str) -> Result<BaseType, TypeError> {
    Ok(match ty {
        prop::INT8 | prop::INT16 | prop::BOOLEAN => BaseType::Int,
        prop::TIMESTAMP => BaseType::Long,
        prop::DATE | prop::TIME | prop::DATETIME | prop::IPV4 | prop::ULONG | prop::UUID => {
            BaseType::String
        }
        t if t.starts_with("char") || t.starts_with("decimal") => BaseType::String,
        t => return Err(TypeError(format!("unknown column type '{t}'"))),
    })
}

/// Reads a field's `type`: a base type name, or `[T,"null"]`.
fn parse_field_type(name: &str, ty: Option<&Json>) -> Result<(BaseType, bool), TypeError> {
    let unknown = || TypeError(format!("column '{name}' has an unsupported type {ty:?}"));
    match ty {
        Some(Json::String(s)) => BaseType::parse(s).map(|b| (b, false)).ok_or_else(unknown),
        Some(Json::Array(branches)) => match branches.as_slice() {
            [Json::String(t), Json::String(n)] if n == "null" => {
                BaseType::parse(t).map(|b| (b, true)).ok_or_else(unknown)
            }
            // Null first would swap the meaning of union indexes 0 and 1 on the
            // wire; Kinetica never produces it, so refuse rather than mis-decode.
            [Json::String(n), Json::String(_)] if n == "null" => Err(TypeError(format!(
                "column '{name}': nullable columns must be [T,\"null\"] with null second"
            ))),
            _ => Err(unknown()),
        },
        _ => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_python_client_sends() {
        let def = r#"{"type": "record", "name": "type_name", "fields": [{"type": "int", "name": "id"}, {"type": "string", "name": "name"}, {"type": ["double", "null"], "name": "score"}, {"type": "long", "name": "ts"}]}"#;
        let props = BTreeMap::from([
            ("id".to_string(), vec!["primary_key".to_string()]),
            ("name".to_string(), vec!["char16".to_string()]),
            ("score".to_string(), vec!["nullable".to_string()]),
            ("ts".to_string(), vec!["timestamp".to_string()]),
        ]);
        let t = KineticaType::from_schema(def, &props).unwrap();
        assert_eq!(t.columns().len(), 4);
        assert_eq!(t.columns()[1].kind(), ColumnKind::Char(16));
        assert!(t.columns()[2].nullable);
        assert_eq!(t.columns()[3].kind(), ColumnKind::Timestamp);
        assert_eq!(t.key_columns(), &[0]);
        assert_eq!(t.properties(), props);
        let again = KineticaType::from_schema(&t.type_definition(), &t.properties()).unwrap();
        assert_eq!(again, t);
    }

    #[test]
    fn shard_key_wins_over_primary_key() {
        let t = KineticaType::from_column_list(&[
            vec!["a", "int", "primary_key"],
            vec!["b", "string", "primary_key", "shard_key"],
        ])
        .unwrap();
        assert_eq!(t.key_columns(), &[1]);
        assert_eq!(t.primary_key_columns(), vec![0, 1]);
    }

    #[test]
    fn rejects_null_first_unions_and_unknown_types() {
        let def = r#"{"type":"record","name":"x","fields":[{"name":"a","type":["null","int"]}]}"#;
        assert!(KineticaType::from_schema(def, &BTreeMap::new()).is_err());
        let def = r#"{"type":"record","name":"x","fields":[{"name":"a","type":"boolean"}]}"#;
        assert!(KineticaType::from_schema(def, &BTreeMap::new()).is_err());
    }

    #[test]
    fn decimal_and_char_kinds() {
        assert_eq!(
            ColumnKind::from_properties(&["decimal(20,2)"]),
            ColumnKind::Decimal {
                precision: 20,
                scale: 2
            }
        );
        assert_eq!(
            ColumnKind::from_properties(&["shard_key", "char256"]),
            ColumnKind::Char(256)
        );
    }
}
