//! MaskField, as Kafka Connect's `org.apache.kafka.connect.transforms.MaskField`: replaces
//! the listed fields with an empty value of their type (0, false, "", a zero Decimal, an
//! empty array or map) or, for numeric and string fields, with `replacement` converted
//! to the field's type. Null fields stay null. Fields may be nested paths
//! (`customer.address.zip`). README.md lists where this differs from Connect.
use sluice_sdk::prelude::*;
use sluice_sdk::{logical, nodes};

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
                "The value masked numeric and string fields get instead of the empty value of their type; must convert to the field's type.",
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
            // Connect's `NonEmptyString`: an empty replacement is refused, not "".
            replacement: config.non_empty("replacement")?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for field in &self.fields {
            // Masking needs the type of each value, not its contents: one call reads the
            // types of the whole column, one writes the masked values back. `None` is a
            // null or absent field (under a tombstone or a null struct too): it stays
            // null, which the host takes as no change.
            let types = batch.column_types(self.part, field)?;
            if types.iter().flatten().any(|t| is_container(*t)) {
                // The column calls carry leaves only.
                self.mask_per_record(batch, field, &types)?;
                continue;
            }
            let masked = types
                .iter()
                .enumerate()
                .map(|(i, t)| self.masked_leaf(batch, i as u32, *t, field))
                .collect::<Result<Vec<_>, _>>()?;
            batch.set_column(self.part, field, &masked)?;
        }
        Ok(())
    }
}

fn is_container(t: SchemaType) -> bool {
    matches!(t, SchemaType::Array | SchemaType::Map | SchemaType::Struct)
}

impl MaskField {
    /// The value the leaf `field` of record `i`, of type `t`, is masked with.
    fn masked_leaf(
        &self,
        batch: &Batch,
        i: u32,
        t: Option<SchemaType>,
        field: &str,
    ) -> Result<Scalar, Error> {
        match t {
            None => Ok(Scalar::Null),
            // A Decimal is bytes on the boundary: its schema says which.
            Some(SchemaType::Bytes) => self.masked_bytes(batch, i, field),
            Some(t) => self.masked(t, field),
        }
    }

    /// The value a leaf of type `t` (not bytes) is masked with.
    fn masked(&self, t: SchemaType, field: &str) -> Result<Scalar, Error> {
        let Some(r) = self.replacement.as_deref() else {
            return Ok(empty_of(t));
        };
        let bad = |ty: &str| {
            Error::InvalidConfig(format!(
                "`replacement` `{r}` is not a valid {ty} for field `{field}`"
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
            // Connect converts a replacement to numbers and strings only.
            other => return Err(no_replacement(other, field)),
        })
    }

    /// The value a bytes field of record `i` is masked with: a Decimal (its schema
    /// says) is zero or `replacement` at the Decimal's scale, other bytes are emptied or
    /// get `replacement`'s UTF-8.
    fn masked_bytes(&self, batch: &Batch, i: u32, field: &str) -> Result<Scalar, Error> {
        let data = batch.get(i, self.part);
        let schema = nodes::locate(&data, field)
            .ok()
            .and_then(|at| Some(&data.schema.as_ref()?.nodes[at.schema? as usize]));
        let Some(node) = schema.filter(|s| s.name.as_deref() == Some(logical::DECIMAL)) else {
            return Ok(Scalar::Bytes(
                self.replacement
                    .as_deref()
                    .map_or_else(Vec::new, |r| r.as_bytes().to_vec()),
            ));
        };
        let scale = node
            .parameters
            .iter()
            .find(|(k, _)| k == "scale")
            .and_then(|(_, v)| v.parse::<i32>().ok())
            .ok_or_else(|| {
                Error::Fatal(format!(
                    "field `{field}` is a Decimal without a `scale` parameter"
                ))
            })?;
        let unscaled = match self.replacement.as_deref() {
            None => 0,
            Some(r) => logical::parse_decimal(r, scale).ok_or_else(|| {
                Error::InvalidConfig(format!(
                    "`replacement` `{r}` is not a valid Decimal of scale {scale} for field `{field}`"
                ))
            })?,
        };
        Ok(Scalar::Bytes(logical::decimal_bytes(unscaled)))
    }

    /// Masks `field` record by record, for a batch where it is an array, map or struct
    /// in some records: an array or map becomes empty, as in Connect, and a struct is
    /// refused, as there; the leaves get their masked value.
    fn mask_per_record(
        &self,
        batch: &Batch,
        field: &str,
        types: &[Option<SchemaType>],
    ) -> Result<(), Error> {
        for (i, t) in types.iter().enumerate() {
            let i = i as u32;
            let empty = match t {
                None => continue,
                Some(t) if !is_container(*t) => {
                    let value = self.masked_leaf(batch, i, Some(*t), field)?;
                    batch.set_field(i, self.part, field, &value)?;
                    continue;
                }
                Some(SchemaType::Struct) => {
                    return Err(Error::InvalidConfig(format!(
                        "`fields`: `{field}` is a struct, which cannot be masked (Kafka Connect \
                         cannot either); name its fields (`{field}.<name>`)"
                    )));
                }
                Some(t) if self.replacement.is_some() => return Err(no_replacement(*t, field)),
                Some(SchemaType::Array) => Node::Array(Vec::new()),
                Some(_) => Node::Map(Vec::new()),
            };
            let mut data = batch.get(i, self.part);
            let at = nodes::locate(&data, field)
                .map_err(|e| Error::Fatal(format!("`{field}` not found again: {e:?}")))?;
            data.value.push(empty);
            let node = (data.value.len() - 1) as u32;
            // The same schema: an empty array or map is a value of it.
            nodes::replace(&mut data, at, node, at.schema).map_err(|e| Error::Fatal(e.into()))?;
            batch
                .set(i, self.part, &data)
                .map_err(|e| Error::Fatal(format!("masking `{field}`: {e}")))?;
        }
        Ok(())
    }
}

/// Connect's MaskField converts a replacement to numbers and strings only ("Cannot mask
/// value of type … with custom replacement").
fn no_replacement(t: SchemaType, field: &str) -> Error {
    Error::InvalidConfig(format!(
        "`replacement` applies to numeric and string fields, not to `{field}` ({})",
        sluice_sdk::tree::type_name(t)
    ))
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
