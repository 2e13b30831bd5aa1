//! Values with a schema: a plan made once per distinct schema (the flat schema, and
//! where each of its fields comes from), then applied to each value.

use sluice_sdk::prelude::*;

use crate::render::{DATE, DECIMAL, TIME, TIMESTAMP, Tree};
use crate::{Mode, Options, join};

/// One step from a struct value towards a column's value.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The struct's field at this position.
    Field(usize),
    /// The array's first element (`TAKE_FIRST_VALUE`).
    First,
}

/// How a column's value is made from the value the steps reach.
#[derive(Debug, Clone, Copy)]
enum Out {
    /// Copied as it is: a primitive, or an array `KEEP_ARRAYS` keeps.
    Copy,
    /// An array's elements as text, joined with the separator; null when empty.
    JoinElements,
    /// The value as text (a map).
    Render,
}

#[derive(Debug)]
struct Column {
    steps: Vec<Step>,
    out: Out,
    /// The input schema node of the value the steps reach.
    schema: u32,
}

/// The flat schema of one input schema, and how to fill it.
#[derive(Debug)]
pub struct Plan {
    flat: Vec<SchemaNode>,
    columns: Vec<Column>,
}

/// Whether a value with this schema is a (non-null) struct, the one shape that is
/// flattened. Anything else passes unchanged, for the sink to accept or refuse.
pub fn is_flattenable(schema: &Schema, value: &[Node]) -> bool {
    schema
        .nodes
        .first()
        .is_some_and(|root| root.type_ == SchemaType::Struct)
        && matches!(value.first(), Some(Node::Struct(_)))
}

/// Whether two schemas are the same tree (the generated types have no `PartialEq`).
pub fn same(a: &Schema, b: &Schema) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| {
            x.type_ == y.type_
                && x.optional == y.optional
                && x.name == y.name
                && x.version == y.version
                && x.doc == y.doc
                && x.parameters == y.parameters
                && x.children == y.children
                && x.field_names == y.field_names
                && same_scalar(&x.default_value, &y.default_value)
        })
}

fn same_scalar(a: &Option<Scalar>, b: &Option<Scalar>) -> bool {
    use Scalar as S;
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (a, b) {
            (S::Null, S::Null) => true,
            (S::Boolean(x), S::Boolean(y)) => x == y,
            (S::Int8(x), S::Int8(y)) => x == y,
            (S::Int16(x), S::Int16(y)) => x == y,
            (S::Int32(x), S::Int32(y)) => x == y,
            (S::Int64(x), S::Int64(y)) => x == y,
            (S::Float32(x), S::Float32(y)) => x.to_bits() == y.to_bits(),
            (S::Float64(x), S::Float64(y)) => x.to_bits() == y.to_bits(),
            (S::String(x), S::String(y)) => x == y,
            (S::Bytes(x), S::Bytes(y)) => x == y,
            _ => false,
        },
        _ => false,
    }
}

/// Element types `KEEP_ARRAYS` keeps: those of Kinetica's `array(int|long|float|double|
/// string|boolean)` columns. Logical types (a Date is an int32) are not among them.
fn keepable(node: &SchemaNode) -> bool {
    let logical = matches!(
        node.name.as_deref(),
        Some(DECIMAL | DATE | TIME | TIMESTAMP)
    );
    !logical
        && matches!(
            node.type_,
            SchemaType::Int8
                | SchemaType::Int16
                | SchemaType::Int32
                | SchemaType::Int64
                | SchemaType::Float32
                | SchemaType::Float64
                | SchemaType::Boolean
                | SchemaType::String
        )
}

fn string_node(optional: bool) -> SchemaNode {
    SchemaNode {
        type_: SchemaType::String,
        optional,
        name: None,
        version: None,
        doc: None,
        parameters: Vec::new(),
        default_value: None,
        children: Vec::new(),
        field_names: Vec::new(),
    }
}

struct Builder<'a> {
    input: &'a [SchemaNode],
    options: &'a Options,
    plan: Plan,
    /// The dotted input path of each column, for collision messages.
    paths: Vec<String>,
}

impl Builder<'_> {
    /// Adds the columns of the field `name` (schema node `s`, reached by `steps`),
    /// `path` its dotted input path; `nullable` when an enclosing struct is optional
    /// or the value may be missing (an empty array under `TAKE_FIRST_VALUE`).
    fn field(
        &mut self,
        name: String,
        path: String,
        s: u32,
        steps: Vec<Step>,
        nullable: bool,
    ) -> Result<(), String> {
        let node = &self.input[s as usize];
        let nullable = nullable || node.optional;
        match node.type_ {
            SchemaType::Struct => {
                for (i, (field, child)) in node.field_names.iter().zip(&node.children).enumerate() {
                    let mut steps = steps.clone();
                    steps.push(Step::Field(i));
                    self.field(
                        join(Some(&name), &self.options.delimiter, field),
                        format!("{path}.{field}"),
                        *child,
                        steps,
                        nullable,
                    )?;
                }
                Ok(())
            }
            SchemaType::Array => {
                let items = node.children[0];
                match self.options.mode {
                    Mode::TakeFirstValue => {
                        let mut steps = steps;
                        steps.push(Step::First);
                        // An empty array has no first value: every column is nullable.
                        self.field(name, format!("{path}[0]"), items, steps, true)
                    }
                    Mode::KeepArrays if keepable(&self.input[items as usize]) => {
                        let mut flat = vec![node.clone(), self.input[items as usize].clone()];
                        flat[0].optional = nullable;
                        flat[0].children = Vec::new();
                        self.add(name, path, steps, Out::Copy, s, flat)
                    }
                    // An empty array converts to null, so the column is nullable.
                    _ => self.add(
                        name,
                        path,
                        steps,
                        Out::JoinElements,
                        s,
                        vec![string_node(true)],
                    ),
                }
            }
            SchemaType::Map => {
                // Keys are only known per value, and a table's columns cannot change
                // from record to record: the map becomes one string column.
                self.add(
                    name,
                    path,
                    steps,
                    Out::Render,
                    s,
                    vec![string_node(nullable)],
                )
            }
            _ => {
                let mut leaf = node.clone();
                leaf.optional = nullable;
                leaf.children = Vec::new();
                leaf.field_names = Vec::new();
                self.add(name, path, steps, Out::Copy, s, vec![leaf])
            }
        }
    }

    /// Appends a column with its schema nodes (`nodes[0]` its root; an array's items
    /// follow it).
    fn add(
        &mut self,
        name: String,
        path: String,
        steps: Vec<Step>,
        out: Out,
        schema: u32,
        mut nodes: Vec<SchemaNode>,
    ) -> Result<(), String> {
        let root = &self.plan.flat[0];
        if let Some(other) = root.field_names.iter().position(|n| *n == name) {
            return Err(format!(
                "the fields `{}` and `{path}` both flatten to the column `{name}`; rename \
                 one (e.g. with a transform) or choose another \
                 kinetica.flatten_source.field_name_delimiter",
                self.paths[other]
            ));
        }
        let at = self.plan.flat.len() as u32;
        if nodes.len() == 2 {
            nodes[0].children = vec![at + 1];
        }
        self.plan.flat.extend(nodes);
        let root = &mut self.plan.flat[0];
        root.children.push(at);
        root.field_names.push(name);
        self.paths.push(path);
        self.plan.columns.push(Column { steps, out, schema });
        Ok(())
    }
}

impl Plan {
    /// The plan for values of the struct schema `input`; an error (two fields giving
    /// one column name) rejects every record of that schema.
    pub fn new(input: &[SchemaNode], options: &Options) -> Result<Plan, String> {
        let root = &input[0];
        let mut flat_root = root.clone();
        flat_root.children = Vec::new();
        flat_root.field_names = Vec::new();
        let mut b = Builder {
            input,
            options,
            plan: Plan {
                flat: vec![flat_root],
                columns: Vec::new(),
            },
            paths: Vec::new(),
        };
        for (i, (field, child)) in root.field_names.iter().zip(&root.children).enumerate() {
            b.field(
                field.clone(),
                field.clone(),
                *child,
                vec![Step::Field(i)],
                false,
            )?;
        }
        Ok(b.plan)
    }

    /// The flat value of `value` (a struct of the plan's input schema).
    pub fn apply(&self, schema: &[SchemaNode], value: &[Node], options: &Options) -> Data {
        let mut out = vec![Node::Null];
        let mut fields = Vec::with_capacity(self.columns.len());
        let tree = Tree {
            values: value,
            schema: Some(schema),
        };
        for column in &self.columns {
            let at = out.len() as u32;
            fields.push(at);
            let reached = reach(value, &column.steps);
            let node = match (reached, column.out) {
                (None, _) => Node::Null,
                (Some(v), Out::Copy) => match &value[v as usize] {
                    Node::Array(items) => {
                        let first = at + 1;
                        out.push(Node::Null);
                        let ids = (0..items.len() as u32).map(|i| first + i).collect();
                        out.extend(items.iter().map(|i| value[*i as usize].clone()));
                        out[at as usize] = Node::Array(ids);
                        continue;
                    }
                    leaf => leaf.clone(),
                },
                (Some(v), Out::JoinElements) => match &value[v as usize] {
                    Node::Array(items) if !items.is_empty() => {
                        let items_schema = schema[column.schema as usize].children[0];
                        let mut text = String::new();
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                text.push_str(&options.separator);
                            }
                            tree.render(*item, Some(items_schema), &mut text);
                        }
                        Node::String(text)
                    }
                    _ => Node::Null,
                },
                (Some(v), Out::Render) => {
                    let mut text = String::new();
                    tree.render(v, Some(column.schema), &mut text);
                    Node::String(text)
                }
            };
            out.push(node);
        }
        out[0] = Node::Struct(fields);
        Data {
            schema: Some(Schema {
                nodes: self.flat.clone(),
            }),
            value: out,
        }
    }
}

/// The value node `steps` lead to from the root, `None` where a struct on the way is
/// null or an array has no first element.
fn reach(value: &[Node], steps: &[Step]) -> Option<u32> {
    let mut at = 0u32;
    for step in steps {
        at = match (&value[at as usize], step) {
            (Node::Struct(fields), Step::Field(i)) => *fields.get(*i)?,
            (Node::Array(items), Step::First) => *items.first()?,
            _ => return None,
        };
    }
    match value[at as usize] {
        Node::Null => None,
        _ => Some(at),
    }
}
