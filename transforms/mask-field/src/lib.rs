//! MaskField, as Kafka Connect's `org.apache.kafka.connect.transforms.MaskField`: replaces
//! the listed fields with an empty value of their type (0, false, "", no bytes) or with
//! `replacement`. Null fields stay null.
use sluice_sdk::prelude::*;

struct MaskField {
    part: Part,
    fields: Vec<String>,
    replacement: Option<String>,
}

impl Transform for MaskField {
    fn describe() -> Vec<Property> {
        vec![
            Property::list(
                "fields",
                None,
                "Names of the fields to mask (dotted paths reach nested fields).",
            ),
            Property::string(
                "replacement",
                None,
                "The value masked fields get instead of the empty value of their type; must parse as the field's type.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to mask: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let fields = config.list("fields");
        if fields.is_empty() {
            return Err(Error::InvalidConfig(
                "`fields` must name at least one field".into(),
            ));
        }
        let part = config.part()?;
        Ok(MaskField {
            part,
            fields,
            replacement: config.get("replacement").map(str::to_string),
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for field in &self.fields {
            // Masking needs the type of each value, not its contents: one call reads the
            // types of the whole column, one writes the masked values back.
            let types = batch.column_types(self.part, field)?;
            let masked = types
                .into_iter()
                .map(|t| t.map_or(Ok(Scalar::Null), |t| self.masked(t, field)))
                .collect::<Result<Vec<_>, _>>()?;
            batch.set_column(self.part, field, &masked)?;
        }
        Ok(())
    }
}

impl MaskField {
    /// The value a field of type `t` is masked with.
    fn masked(&self, t: SchemaType, field: &str) -> Result<Scalar, Error> {
        let Some(r) = self.replacement.as_deref() else {
            return Ok(empty_of(t));
        };
        let bad = |ty: &str| {
            Error::InvalidConfig(format!(
                "`replacement` is not a valid {ty} for field `{field}`"
            ))
        };
        Ok(match t {
            SchemaType::String => Scalar::String(r.to_string()),
            SchemaType::Int8 => Scalar::Int8(r.parse().map_err(|_| bad("int8"))?),
            SchemaType::Int16 => Scalar::Int16(r.parse().map_err(|_| bad("int16"))?),
            SchemaType::Int32 => Scalar::Int32(r.parse().map_err(|_| bad("int32"))?),
            SchemaType::Int64 => Scalar::Int64(r.parse().map_err(|_| bad("int64"))?),
            SchemaType::Float32 => Scalar::Float32(r.parse().map_err(|_| bad("float32"))?),
            SchemaType::Float64 => Scalar::Float64(r.parse().map_err(|_| bad("float64"))?),
            SchemaType::Boolean => Scalar::Boolean(r.parse().map_err(|_| bad("boolean"))?),
            SchemaType::Bytes => Scalar::Bytes(r.as_bytes().to_vec()),
            other => {
                return Err(Error::Fatal(format!(
                    "field `{field}` is a {other:?}, which cannot be masked"
                )));
            }
        })
    }
}

fn empty_of(t: SchemaType) -> Scalar {
    match t {
        SchemaType::Boolean => Scalar::Boolean(false),
        SchemaType::Int8 => Scalar::Int8(0),
        SchemaType::Int16 => Scalar::Int16(0),
        SchemaType::Int32 => Scalar::Int32(0),
        SchemaType::Int64 => Scalar::Int64(0),
        SchemaType::Float32 => Scalar::Float32(0.0),
        SchemaType::Float64 => Scalar::Float64(0.0),
        SchemaType::Bytes => Scalar::Bytes(Vec::new()),
        _ => Scalar::String(String::new()),
    }
}

sluice_sdk::export_transform!(MaskField);
