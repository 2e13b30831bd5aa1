//! Kinetica column types as the sink reasons about them.
//!
//! A Kinetica column is a base type (the Avro type on the wire) plus properties that
//! refine it (`int8`, `date`, `decimal(10,2)`, `nullable`, …; REST protocol notes §7.2).
//! [`ColumnKind`] folds the two into the one thing conversion needs: which values the
//! column accepts and how they travel.

/// A column's Avro base type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    Int,
    Long,
    Float,
    Double,
    String,
    Bytes,
}

impl BaseType {
    pub fn name(self) -> &'static str {
        match self {
            BaseType::Int => "int",
            BaseType::Long => "long",
            BaseType::Float => "float",
            BaseType::Double => "double",
            BaseType::String => "string",
            BaseType::Bytes => "bytes",
        }
    }
}

/// Property names the sink produces or interprets.
pub mod props {
    pub const NULLABLE: &str = "nullable";
    pub const INT8: &str = "int8";
    pub const INT16: &str = "int16";
    pub const BOOLEAN: &str = "boolean";
    pub const TIMESTAMP: &str = "timestamp";
    pub const DATE: &str = "date";
    pub const TIME: &str = "time";
    pub const DATETIME: &str = "datetime";
    pub const DECIMAL: &str = "decimal";
    pub const ULONG: &str = "ulong";
    pub const PRIMARY_KEY: &str = "primary_key";
    pub const SHARD_KEY: &str = "shard_key";
}

/// Kinetica's `decimal` without precision and scale is NUMERIC(18,4).
pub const DEFAULT_DECIMAL: (u32, u32) = (18, 4);
/// The widest decimal Kinetica stores (12 bytes).
pub const MAX_DECIMAL_PRECISION: u32 = 27;

/// One column of a table type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub base: BaseType,
    pub properties: Vec<String>,
}

impl Column {
    pub fn new(name: impl Into<String>, base: BaseType) -> Column {
        Column {
            name: name.into(),
            base,
            properties: Vec::new(),
        }
    }

    pub fn with(mut self, property: impl Into<String>) -> Column {
        self.properties.push(property.into());
        self
    }

    pub fn has(&self, property: &str) -> bool {
        self.properties.iter().any(|p| p == property)
    }

    pub fn is_nullable(&self) -> bool {
        self.has(props::NULLABLE)
    }

    pub fn kind(&self) -> ColumnKind {
        ColumnKind::of(self)
    }
}

/// What a column holds, from its base type and type-refining property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Int8,
    Int16,
    /// An `int` column holding 0 or 1.
    Boolean,
    Long,
    /// A `long` column of epoch milliseconds, within Kinetica's years 1000–2900.
    Timestamp,
    Float,
    Double,
    /// Any string column without a more specific meaning below (also `json`, `uuid`,
    /// `ipv4`, `wkt`…, whose text is passed through for the server to check).
    String,
    /// `charN`: at most N characters.
    Char(usize),
    Date,
    Time,
    DateTime,
    Decimal {
        precision: u32,
        scale: u32,
    },
    Ulong,
    Bytes,
}

impl ColumnKind {
    pub fn of(column: &Column) -> ColumnKind {
        let has = |p: &str| column.has(p);
        match column.base {
            BaseType::Int if has(props::INT8) => ColumnKind::Int8,
            BaseType::Int if has(props::INT16) => ColumnKind::Int16,
            BaseType::Int if has(props::BOOLEAN) => ColumnKind::Boolean,
            BaseType::Int => ColumnKind::Int,
            BaseType::Long if has(props::TIMESTAMP) => ColumnKind::Timestamp,
            BaseType::Long => ColumnKind::Long,
            BaseType::Float => ColumnKind::Float,
            BaseType::Double => ColumnKind::Double,
            BaseType::Bytes => ColumnKind::Bytes,
            BaseType::String => column
                .properties
                .iter()
                .find_map(|p| string_kind(p))
                .unwrap_or(ColumnKind::String),
        }
    }
}

fn string_kind(property: &str) -> Option<ColumnKind> {
    Some(match property {
        props::DATE => ColumnKind::Date,
        props::TIME => ColumnKind::Time,
        props::DATETIME => ColumnKind::DateTime,
        props::ULONG => ColumnKind::Ulong,
        props::DECIMAL => ColumnKind::Decimal {
            precision: DEFAULT_DECIMAL.0,
            scale: DEFAULT_DECIMAL.1,
        },
        _ => {
            if let Some(n) = property.strip_prefix("char") {
                return n.parse().ok().map(ColumnKind::Char);
            }
            let args = property.strip_prefix("decimal(")?.strip_suffix(')')?;
            let (p, s) = args.split_once(',')?;
            ColumnKind::Decimal {
                precision: p.trim().parse().ok()?,
                scale: s.trim().parse().ok()?,
            }
        }
    })
}

/// The decimal property for a precision and scale.
pub fn decimal_property(precision: u32, scale: u32) -> String {
    format!("decimal({precision},{scale})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_base_type_and_properties() {
        let kind = |base, props: &[&str]| {
            let mut c = Column::new("c", base);
            for p in props {
                c = c.with(*p);
            }
            c.kind()
        };
        assert_eq!(kind(BaseType::Int, &[]), ColumnKind::Int);
        assert_eq!(kind(BaseType::Int, &["nullable", "int8"]), ColumnKind::Int8);
        assert_eq!(kind(BaseType::Int, &["int16"]), ColumnKind::Int16);
        assert_eq!(kind(BaseType::Int, &["boolean"]), ColumnKind::Boolean);
        assert_eq!(kind(BaseType::Long, &["timestamp"]), ColumnKind::Timestamp);
        assert_eq!(kind(BaseType::Long, &["primary_key"]), ColumnKind::Long);
        assert_eq!(kind(BaseType::String, &["char16"]), ColumnKind::Char(16));
        assert_eq!(kind(BaseType::String, &["date"]), ColumnKind::Date);
        assert_eq!(kind(BaseType::String, &["time"]), ColumnKind::Time);
        assert_eq!(kind(BaseType::String, &["datetime"]), ColumnKind::DateTime);
        assert_eq!(
            kind(BaseType::String, &["decimal"]),
            ColumnKind::Decimal {
                precision: 18,
                scale: 4
            }
        );
        assert_eq!(
            kind(BaseType::String, &["data", "decimal(10, 2)"]),
            ColumnKind::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(kind(BaseType::String, &["ulong"]), ColumnKind::Ulong);
        assert_eq!(kind(BaseType::String, &["uuid"]), ColumnKind::String);
        assert_eq!(kind(BaseType::Bytes, &[]), ColumnKind::Bytes);
        assert_eq!(kind(BaseType::Float, &[]), ColumnKind::Float);
        assert_eq!(kind(BaseType::Double, &[]), ColumnKind::Double);
    }

    #[test]
    fn nullability_is_a_property() {
        assert!(
            Column::new("c", BaseType::Int)
                .with("nullable")
                .is_nullable()
        );
        assert!(!Column::new("c", BaseType::Int).is_nullable());
    }
}
