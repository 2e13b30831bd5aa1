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
            Property::list("fields", None, "Names of the fields to mask (dotted paths reach nested fields)."),
            Property::string(
                "replacement",
                None,
                "The value masked fields get instead of the empty value of their type; must parse as the field's type.",
            ),
            Property::string("part", Some("value"), "Which side of the record to mask: `key` or `value`."),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let fields = config.list("fields");
        if fields.is_empty() {
            return Err(Error::InvalidConfig("`fields` must name at least one field".into()));
        }
        let part = match config.get("part").unwrap_or("value") {
            "value" => Part::Value,
            "key" => Part::Key,
            _ => return Err(Error::InvalidConfig("`part` must be `key` or `value`".into())),
        };
        Ok(MaskField { part, fields, replacement: config.get("replacement").map(str::to_string) })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for field in &self.fields {
            // One call reads the field of every record and one writes it back.
            let values = batch.get_column(self.part, field)?;
            let masked = values
                .into_iter()
                .map(|v| self.mask(v, field))
                .collect::<Result<Vec<_>, _>>()?;
            batch.set_column(self.part, field, &masked)?;
        }
        Ok(())
    }
}

impl MaskField {
    fn mask(&self, value: Scalar, field: &str) -> Result<Scalar, Error> {
        let Some(r) = self.replacement.as_deref() else {
            return Ok(empty_of(value));
        };
        let bad = |ty: &str| Error::InvalidConfig(format!("`replacement` is not a valid {ty} for field `{field}`"));
        Ok(match value {
            Scalar::Null => Scalar::Null,
            Scalar::String(_) => Scalar::String(r.to_string()),
            Scalar::Int8(_) => Scalar::Int8(r.parse().map_err(|_| bad("int8"))?),
            Scalar::Int16(_) => Scalar::Int16(r.parse().map_err(|_| bad("int16"))?),
            Scalar::Int32(_) => Scalar::Int32(r.parse().map_err(|_| bad("int32"))?),
            Scalar::Int64(_) => Scalar::Int64(r.parse().map_err(|_| bad("int64"))?),
            Scalar::Float32(_) => Scalar::Float32(r.parse().map_err(|_| bad("float32"))?),
            Scalar::Float64(_) => Scalar::Float64(r.parse().map_err(|_| bad("float64"))?),
            Scalar::Boolean(_) => Scalar::Boolean(r.parse().map_err(|_| bad("boolean"))?),
            Scalar::Bytes(_) => Scalar::Bytes(r.as_bytes().to_vec()),
        })
    }
}

fn empty_of(value: Scalar) -> Scalar {
    match value {
        Scalar::Null => Scalar::Null,
        Scalar::Boolean(_) => Scalar::Boolean(false),
        Scalar::Int8(_) => Scalar::Int8(0),
        Scalar::Int16(_) => Scalar::Int16(0),
        Scalar::Int32(_) => Scalar::Int32(0),
        Scalar::Int64(_) => Scalar::Int64(0),
        Scalar::Float32(_) => Scalar::Float32(0.0),
        Scalar::Float64(_) => Scalar::Float64(0.0),
        Scalar::String(_) => Scalar::String(String::new()),
        Scalar::Bytes(_) => Scalar::Bytes(Vec::new()),
    }
}

sluice_sdk::export_transform!(MaskField);
