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
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
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
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array(SchemaRef),
    Map { key: SchemaRef, value: SchemaRef },
    Struct(Vec<Field>),
}

impl SchemaKind {
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
    pub name: String,
    pub schema: SchemaRef,
}

/// A Kafka Connect schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub kind: SchemaKind,
    pub optional: bool,
    pub default: Option<Value>,
    /// Fully qualified name; logical types use Kafka Connect's names (see [`crate::logical`]).
    pub name: Option<String>,
    pub version: Option<i32>,
    pub doc: Option<String>,
    pub parameters: BTreeMap<String, String>,
}

impl Schema {
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

    pub fn builder(kind: SchemaKind) -> SchemaBuilder {
        SchemaBuilder(Schema::new(kind))
    }

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

    pub fn into_ref(self) -> SchemaRef {
        Arc::new(self)
    }
}

/// Fluent construction of schemas, in the style of Kafka Connect's `SchemaBuilder`.
#[derive(Debug, Clone)]
pub struct SchemaBuilder(Schema);

impl SchemaBuilder {
    pub fn int8() -> Self {
        Schema::builder(SchemaKind::Int8)
    }
    pub fn int16() -> Self {
        Schema::builder(SchemaKind::Int16)
    }
    pub fn int32() -> Self {
        Schema::builder(SchemaKind::Int32)
    }
    pub fn int64() -> Self {
        Schema::builder(SchemaKind::Int64)
    }
    pub fn float32() -> Self {
        Schema::builder(SchemaKind::Float32)
    }
    pub fn float64() -> Self {
        Schema::builder(SchemaKind::Float64)
    }
    pub fn boolean() -> Self {
        Schema::builder(SchemaKind::Boolean)
    }
    pub fn string() -> Self {
        Schema::builder(SchemaKind::String)
    }
    pub fn bytes() -> Self {
        Schema::builder(SchemaKind::Bytes)
    }
    pub fn array(items: SchemaRef) -> Self {
        Schema::builder(SchemaKind::Array(items))
    }
    pub fn map(key: SchemaRef, value: SchemaRef) -> Self {
        Schema::builder(SchemaKind::Map { key, value })
    }
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
    pub fn optional(mut self) -> Self {
        self.0.optional = true;
        self
    }
    pub fn default_value(mut self, value: Value) -> Self {
        self.0.default = Some(value);
        self
    }
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.0.name = Some(name.into());
        self
    }
    pub fn version(mut self, version: i32) -> Self {
        self.0.version = Some(version);
        self
    }
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.0.doc = Some(doc.into());
        self
    }
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.parameters.insert(key.into(), value.into());
        self
    }
    pub fn build(self) -> Schema {
        self.0
    }
    pub fn build_ref(self) -> SchemaRef {
        Arc::new(self.0)
    }
}
