//! Kafka Connect schemas: the type of a key or value.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::Value;

/// Schemas are shared by every record of a batch, so they are reference counted.
pub type SchemaRef = Arc<Schema>;

/// The physical type of a schema, as in Kafka Connect's `Schema.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaType {
    /// 8-bit signed integer (`int8`).
    Int8,
    /// 16-bit signed integer (`int16`).
    Int16,
    /// 32-bit signed integer (`int32`); also the physical type of `Date` and `Time`.
    Int32,
    /// 64-bit signed integer (`int64`); also the physical type of `Timestamp`.
    Int64,
    /// IEEE 754 single-precision float (Connect's `float`).
    Float32,
    /// IEEE 754 double-precision float (Connect's `double`).
    Float64,
    /// A boolean.
    Boolean,
    /// A UTF-8 string.
    String,
    /// Arbitrary bytes; also the physical type of `Decimal`.
    Bytes,
    /// An ordered list of values sharing one element schema.
    Array,
    /// Key/value entries, with one schema for the keys and one for the values.
    Map,
    /// Named fields, each with its own schema.
    Struct,
}

impl SchemaType {
    /// The lower-case name Kafka Connect's JSON schema format uses (`"int32"`, `"struct"`…).
    pub fn name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }

    /// Parses a JSON-schema type name; accepts both Connect's `float`/`double` and the
    /// `float32`/`float64` spelling.
    pub fn from_name(name: &str) -> Option<SchemaType> {
        Some(match name {
            "int8" => SchemaType::Int8,
            "int16" => SchemaType::Int16,
            "int32" => SchemaType::Int32,
            "int64" => SchemaType::Int64,
            "float" | "float32" => SchemaType::Float32,
            "double" | "float64" => SchemaType::Float64,
            "boolean" => SchemaType::Boolean,
            "string" => SchemaType::String,
            "bytes" => SchemaType::Bytes,
            "array" => SchemaType::Array,
            "map" => SchemaType::Map,
            "struct" => SchemaType::Struct,
            _ => return None,
        })
    }

    /// Whether this is a primitive type, that is anything but `Array`, `Map` and `Struct`.
    pub fn is_primitive(self) -> bool {
        !matches!(
            self,
            SchemaType::Array | SchemaType::Map | SchemaType::Struct
        )
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The shape of a schema: a primitive, or a container with its element schemas.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaKind {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// Single-precision float.
    Float32,
    /// Double-precision float.
    Float64,
    /// A boolean.
    Boolean,
    /// A UTF-8 string.
    String,
    /// Arbitrary bytes.
    Bytes,
    /// A list; the schema of its elements.
    Array(SchemaRef),
    /// A map, with the schemas of its entries.
    Map {
        /// The schema of every key.
        key: SchemaRef,
        /// The schema of every value.
        value: SchemaRef,
    },
    /// A struct; its fields, in order.
    Struct(Vec<Field>),
}

impl SchemaKind {
    /// The physical type of this kind, dropping the element schemas.
    pub fn schema_type(&self) -> SchemaType {
        match self {
            SchemaKind::Int8 => SchemaType::Int8,
            SchemaKind::Int16 => SchemaType::Int16,
            SchemaKind::Int32 => SchemaType::Int32,
            SchemaKind::Int64 => SchemaType::Int64,
            SchemaKind::Float32 => SchemaType::Float32,
            SchemaKind::Float64 => SchemaType::Float64,
            SchemaKind::Boolean => SchemaType::Boolean,
            SchemaKind::String => SchemaType::String,
            SchemaKind::Bytes => SchemaType::Bytes,
            SchemaKind::Array(_) => SchemaType::Array,
            SchemaKind::Map { .. } => SchemaType::Map,
            SchemaKind::Struct(_) => SchemaType::Struct,
        }
    }

    /// The kind of a primitive type; `None` for containers, which need element schemas.
    pub fn primitive(t: SchemaType) -> Option<SchemaKind> {
        Some(match t {
            SchemaType::Int8 => SchemaKind::Int8,
            SchemaType::Int16 => SchemaKind::Int16,
            SchemaType::Int32 => SchemaKind::Int32,
            SchemaType::Int64 => SchemaKind::Int64,
            SchemaType::Float32 => SchemaKind::Float32,
            SchemaType::Float64 => SchemaKind::Float64,
            SchemaType::Boolean => SchemaKind::Boolean,
            SchemaType::String => SchemaKind::String,
            SchemaType::Bytes => SchemaKind::Bytes,
            _ => return None,
        })
    }
}

/// A field of a struct schema. Its index is its position in [`SchemaKind::Struct`].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name, unique within its struct.
    pub name: String,
    /// The field's schema.
    pub schema: SchemaRef,
}

/// A Kafka Connect schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// The physical type, with element schemas for containers.
    pub kind: SchemaKind,
    /// Whether the value may be null.
    pub optional: bool,
    /// The value to use when the data holds none; a null value also validates when there is one.
    pub default: Option<Value>,
    /// Fully qualified name; logical types use Kafka Connect's names (see [`crate::logical`]).
    pub name: Option<String>,
    /// The schema's version, if it has one (Connect's logical types are version 1).
    pub version: Option<i32>,
    /// Human-readable documentation of the schema.
    pub doc: Option<String>,
    /// Free-form string parameters; a `Decimal` keeps its scale here (see [`crate::logical::SCALE`]).
    pub parameters: BTreeMap<String, String>,
}

impl Schema {
    /// A required schema of this kind, with no name, version, doc, default or parameters.
    pub fn new(kind: SchemaKind) -> Schema {
        Schema {
            kind,
            optional: false,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: BTreeMap::new(),
        }
    }

    /// A [`SchemaBuilder`] starting from [`Schema::new`]`(kind)`.
    pub fn builder(kind: SchemaKind) -> SchemaBuilder {
        SchemaBuilder(Schema::new(kind))
    }

    /// The physical type of this schema.
    pub fn schema_type(&self) -> SchemaType {
        self.kind.schema_type()
    }

    /// The fields of a struct schema; empty for every other type.
    pub fn fields(&self) -> &[Field] {
        match &self.kind {
            SchemaKind::Struct(fields) => fields,
            _ => &[],
        }
    }

    /// Looks a struct field up by name, returning its index and definition.
    pub fn field(&self, name: &str) -> Option<(usize, &Field)> {
        self.fields()
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
    }

    /// The logical type this schema carries, if its name is one Kafka Connect defines.
    pub fn logical(&self) -> Option<crate::logical::LogicalType> {
        crate::logical::LogicalType::of(self)
    }

    /// Wraps the schema in a [`SchemaRef`] to share it.
    pub fn into_ref(self) -> SchemaRef {
        Arc::new(self)
    }
}

/// Fluent construction of schemas, in the style of Kafka Connect's `SchemaBuilder`.
#[derive(Debug, Clone)]
pub struct SchemaBuilder(Schema);

impl SchemaBuilder {
    /// Starts an `int8` schema.
    pub fn int8() -> Self {
        Schema::builder(SchemaKind::Int8)
    }
    /// Starts an `int16` schema.
    pub fn int16() -> Self {
        Schema::builder(SchemaKind::Int16)
    }
    /// Starts an `int32` schema.
    pub fn int32() -> Self {
        Schema::builder(SchemaKind::Int32)
    }
    /// Starts an `int64` schema.
    pub fn int64() -> Self {
        Schema::builder(SchemaKind::Int64)
    }
    /// Starts a `float` (32-bit) schema.
    pub fn float32() -> Self {
        Schema::builder(SchemaKind::Float32)
    }
    /// Starts a `double` (64-bit) schema.
    pub fn float64() -> Self {
        Schema::builder(SchemaKind::Float64)
    }
    /// Starts a `boolean` schema.
    pub fn boolean() -> Self {
        Schema::builder(SchemaKind::Boolean)
    }
    /// Starts a `string` schema.
    pub fn string() -> Self {
        Schema::builder(SchemaKind::String)
    }
    /// Starts a `bytes` schema.
    pub fn bytes() -> Self {
        Schema::builder(SchemaKind::Bytes)
    }
    /// Starts an array schema whose elements have schema `items`.
    pub fn array(items: SchemaRef) -> Self {
        Schema::builder(SchemaKind::Array(items))
    }
    /// Starts a map schema with the given key and value schemas.
    pub fn map(key: SchemaRef, value: SchemaRef) -> Self {
        Schema::builder(SchemaKind::Map { key, value })
    }
    /// Starts a struct schema with no fields; add them with [`SchemaBuilder::field`].
    pub fn structure() -> Self {
        Schema::builder(SchemaKind::Struct(Vec::new()))
    }

    /// Appends a field to a struct schema.
    ///
    /// # Panics
    /// If the schema is not a struct: that is a programming error, not bad input.
    pub fn field(mut self, name: impl Into<String>, schema: SchemaRef) -> Self {
        match &mut self.0.kind {
            SchemaKind::Struct(fields) => fields.push(Field {
                name: name.into(),
                schema,
            }),
            other => panic!("field() on a non-struct schema ({})", other.schema_type()),
        }
        self
    }
    /// Makes the schema optional: its value may be null.
    pub fn optional(mut self) -> Self {
        self.0.optional = true;
        self
    }
    /// Sets the default value, used when the data holds none.
    pub fn default_value(mut self, value: Value) -> Self {
        self.0.default = Some(value);
        self
    }
    /// Sets the fully qualified name (for a logical type, Kafka Connect's name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.0.name = Some(name.into());
        self
    }
    /// Sets the schema's version.
    pub fn version(mut self, version: i32) -> Self {
        self.0.version = Some(version);
        self
    }
    /// Sets the schema's documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.0.doc = Some(doc.into());
        self
    }
    /// Sets (or replaces) a schema parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.parameters.insert(key.into(), value.into());
        self
    }
    /// Finishes the schema.
    pub fn build(self) -> Schema {
        self.0
    }
    /// Finishes the schema, wrapped in a [`SchemaRef`].
    pub fn build_ref(self) -> SchemaRef {
        Arc::new(self.0)
    }
}
