//! Test converter: one CSV line (no quoting) ⇄ a struct named `csv` whose fields are
//! given by `fields` (`name:type,…`, types string, int32, int64, float64, boolean).
//! Every field is optional: an empty column is null (an empty string for a string).
//! A dotted name (`address.city`) puts the column in a nested struct (`address`, one
//! level deep), so pipelines that flatten have nested data to flatten. A line with the
//! wrong number of columns or a column that does not parse is an error for that
//! record, naming the column. A Kafka null stays null. For the runtime's end-to-end
//! tests of converters.
use sluice_sdk::prelude::*;

struct CsvConverter {
    /// Column names and types, in order.
    fields: Vec<(String, SchemaType)>,
    /// The struct's top-level fields, in order of first appearance.
    layout: Vec<Top>,
}

/// A top-level field of the struct: a column, or a nested struct of columns.
enum Top {
    /// The column at this index of `fields`.
    Column(usize),
    /// A struct named `.0` holding (field name, column index) pairs.
    Nested(String, Vec<(String, usize)>),
}

fn layout(fields: &[(String, SchemaType)]) -> Vec<Top> {
    let mut out: Vec<Top> = Vec::new();
    for (i, (name, _)) in fields.iter().enumerate() {
        match name.split_once('.') {
            None => out.push(Top::Column(i)),
            Some((group, field)) => {
                let existing = out.iter_mut().find_map(|t| match t {
                    Top::Nested(g, members) if g == group => Some(members),
                    _ => None,
                });
                match existing {
                    Some(members) => members.push((field.to_string(), i)),
                    None => out.push(Top::Nested(group.to_string(), vec![(field.to_string(), i)])),
                }
            }
        }
    }
    out
}

const STRUCT_NAME: &str = "csv";

fn parse_type(name: &str) -> Option<SchemaType> {
    Some(match name {
        "string" => SchemaType::String,
        "int32" => SchemaType::Int32,
        "int64" => SchemaType::Int64,
        "float64" => SchemaType::Float64,
        "boolean" => SchemaType::Boolean,
        _ => return None,
    })
}

impl CsvConverter {
    fn schema(&self) -> Schema {
        let mut root = SchemaNode::of(SchemaType::Struct, false);
        root.name = Some(STRUCT_NAME.to_string());
        let mut nodes = vec![root];
        for top in &self.layout {
            match top {
                Top::Column(i) => {
                    nodes.push(SchemaNode::of(self.fields[*i].1, true));
                    let at = nodes.len() as u32 - 1;
                    nodes[0].children.push(at);
                    nodes[0].field_names.push(self.fields[*i].0.clone());
                }
                Top::Nested(group, members) => {
                    nodes.push(SchemaNode::of(SchemaType::Struct, true));
                    let at = nodes.len() - 1;
                    nodes[0].children.push(at as u32);
                    nodes[0].field_names.push(group.clone());
                    for (field, i) in members {
                        nodes.push(SchemaNode::of(self.fields[*i].1, true));
                        let leaf = nodes.len() as u32 - 1;
                        nodes[at].children.push(leaf);
                        nodes[at].field_names.push(field.clone());
                    }
                }
            }
        }
        Schema { nodes }
    }

    /// The value tree of one line's columns (already parsed), in the schema's layout.
    fn tree(&self, mut leaves: Vec<Node>) -> Vec<Node> {
        let mut nodes = vec![Node::Struct(Vec::new())];
        let mut root_children = Vec::new();
        for top in &self.layout {
            match top {
                Top::Column(i) => {
                    nodes.push(std::mem::replace(&mut leaves[*i], Node::Null));
                    root_children.push(nodes.len() as u32 - 1);
                }
                Top::Nested(_, members) => {
                    nodes.push(Node::Null);
                    let at = nodes.len() - 1;
                    root_children.push(at as u32);
                    let mut children = Vec::new();
                    for (_, i) in members {
                        nodes.push(std::mem::replace(&mut leaves[*i], Node::Null));
                        children.push(nodes.len() as u32 - 1);
                    }
                    nodes[at] = Node::Struct(children);
                }
            }
        }
        nodes[0] = Node::Struct(root_children);
        nodes
    }

    /// The nodes of one line's struct: the root, then one leaf per column.
    fn decode(&self, line: &[u8]) -> Result<Vec<Node>, String> {
        let line = std::str::from_utf8(line).map_err(|_| "the line is not UTF-8".to_string())?;
        let line = line.trim_end_matches(['\r', '\n']);
        let columns: Vec<&str> = line.split(',').collect();
        if columns.len() < self.fields.len() {
            return Err(format!(
                "missing column `{}`: the line has {} columns, {} expected",
                self.fields[columns.len()].0,
                columns.len(),
                self.fields.len()
            ));
        }
        if columns.len() > self.fields.len() {
            return Err(format!(
                "unexpected column {} after `{}`: {} columns expected",
                self.fields.len() + 1,
                self.fields[self.fields.len() - 1].0,
                self.fields.len()
            ));
        }
        let mut nodes = Vec::with_capacity(columns.len());
        for ((name, ty), text) in self.fields.iter().zip(columns) {
            let bad = || format!("column `{name}`: `{text}` is not a valid {ty:?}");
            nodes.push(match ty {
                SchemaType::String => Node::String(text.to_string()),
                _ if text.is_empty() => Node::Null,
                SchemaType::Int32 => Node::Int32(text.parse().map_err(|_| bad())?),
                SchemaType::Int64 => Node::Int64(text.parse().map_err(|_| bad())?),
                SchemaType::Float64 => Node::Float64(text.parse().map_err(|_| bad())?),
                SchemaType::Boolean => Node::Boolean(text.parse().map_err(|_| bad())?),
                _ => unreachable!("only the types of `parse_type`"),
            });
        }
        Ok(self.tree(nodes))
    }

    /// The value node of column `name` (dotted for a nested one) in a struct value.
    fn column<'v>(schema: &Schema, value: &'v [Node], name: &str) -> Result<&'v Node, String> {
        let mut node_schema = &schema.nodes[0];
        let mut node = value.first().ok_or("empty value")?;
        for part in name.split('.') {
            let Node::Struct(children) = node else {
                return Err(format!("column `{name}`: not inside a struct"));
            };
            let i = node_schema
                .field_names
                .iter()
                .position(|n| n == part)
                .ok_or_else(|| format!("the struct has no field for column `{name}`"))?;
            let child = *node_schema.children.get(i).ok_or("malformed schema")? as usize;
            node_schema = schema.nodes.get(child).ok_or("malformed schema")?;
            node = children
                .get(i)
                .and_then(|c| value.get(*c as usize))
                .ok_or_else(|| format!("column `{name}`: malformed value"))?;
        }
        Ok(node)
    }

    /// One struct back as a line, columns in the configured order.
    fn encode(&self, schema: &Schema, value: &[Node]) -> Result<Vec<u8>, String> {
        if !matches!(value.first(), Some(Node::Struct(_))) {
            return Err("the value is not a struct".into());
        }
        let mut columns = Vec::with_capacity(self.fields.len());
        for (name, _) in &self.fields {
            let node = Self::column(schema, value, name)?;
            let text = node
                .to_scalar()
                .ok_or_else(|| format!("column `{name}`: not a primitive value"))?
                .render()
                .unwrap_or_default();
            if text.contains(',') {
                return Err(format!("column `{name}`: a value contains a comma"));
            }
            columns.push(text);
        }
        Ok(columns.join(",").into_bytes())
    }
}

impl Converter for CsvConverter {
    fn describe() -> Vec<Property> {
        vec![Property::list(
            "fields",
            None,
            "The columns, in order, as name:type (string, int32, int64, float64, boolean); a dotted name (address.city) is a field of a nested struct.",
        )]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let entries = config.list("fields");
        if entries.is_empty() {
            return Err(Error::InvalidConfig(
                "`fields` must name at least one column".into(),
            ));
        }
        let fields = entries
            .iter()
            .map(|e| {
                let (name, ty) = e.split_once(':').ok_or_else(|| {
                    Error::InvalidConfig(format!("`fields`: `{e}` is not name:type"))
                })?;
                let ty = parse_type(ty.trim()).ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "`fields`: `{ty}` is not one of string, int32, int64, float64, boolean"
                    ))
                })?;
                Ok((name.trim().to_string(), ty))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(CsvConverter {
            layout: layout(&fields),
            fields,
        })
    }

    fn to_data(
        &self,
        _topic: &str,
        _part: Part,
        inputs: Vec<Option<Vec<u8>>>,
    ) -> Result<Decoded, Error> {
        let mut decoded = Decoded::new();
        // Every line has the same schema: it crosses once for the whole batch.
        let schema = decoded.add_schema(self.schema());
        for input in inputs {
            decoded.push(match input {
                None => Ok(IndexedData::new(None, Vec::new())),
                Some(line) => self
                    .decode(&line)
                    .map(|nodes| IndexedData::new(Some(schema), nodes)),
            });
        }
        Ok(decoded)
    }

    fn from_data(&self, _topic: &str, _part: Part, inputs: DataBatch) -> Result<Encoded, Error> {
        Ok(inputs
            .items
            .iter()
            .map(|item| match item.schema {
                _ if matches!(item.value.first(), None | Some(Node::Null)) => Ok(None),
                None => Err("a schemaless value cannot be written as CSV".to_string()),
                Some(i) => self
                    .encode(&inputs.schemas[i as usize], &item.value)
                    .map(Some),
            })
            .collect())
    }
}

sluice_sdk::export_converter!(CsvConverter);
