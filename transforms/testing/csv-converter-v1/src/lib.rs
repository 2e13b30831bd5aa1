//! Benchmark guest: csv-converter's decoding and encoding on the replaced converter
//! contract (wit/bench/converter-v1.wit), where every record carries its own schema.
//! The columns are those of the `converter` benchmark, fixed, so the guest does the
//! same work as csv-converter configured with them.
wit_bindgen::generate!({ path: "../../../wit/bench/converter-v1.wit", world: "converter-v1" });

use exports::sluice::bench_converter::convert::{
    Data, Guest, Node, Part, Schema, SchemaNode, SchemaType,
};

const COLUMNS: [(&str, SchemaType); 6] = [
    ("id", SchemaType::Int64),
    ("name", SchemaType::String),
    ("email", SchemaType::String),
    ("ssn", SchemaType::String),
    ("amount", SchemaType::Float64),
    ("ts", SchemaType::Int64),
];

fn node(ty: SchemaType) -> SchemaNode {
    SchemaNode {
        type_: ty,
        optional: true,
        name: None,
        version: None,
        doc: None,
        parameters: Vec::new(),
        default_value: None,
        children: Vec::new(),
        field_names: Vec::new(),
    }
}

/// The schema every record carries, as csv-converter's: a struct `csv` of optional
/// fields.
fn schema() -> Schema {
    let mut root = node(SchemaType::Struct);
    root.optional = false;
    root.name = Some("csv".into());
    root.children = (1..=COLUMNS.len() as u32).collect();
    root.field_names = COLUMNS.iter().map(|(n, _)| n.to_string()).collect();
    let mut nodes = vec![root];
    nodes.extend(COLUMNS.iter().map(|(_, t)| node(*t)));
    Schema { nodes }
}

fn decode(line: &[u8]) -> Result<Vec<Node>, String> {
    let line = std::str::from_utf8(line).map_err(|_| "the line is not UTF-8".to_string())?;
    let columns: Vec<&str> = line.split(',').collect();
    if columns.len() != COLUMNS.len() {
        return Err(format!(
            "{} columns, {} expected",
            columns.len(),
            COLUMNS.len()
        ));
    }
    let mut nodes = vec![Node::Struct((1..=COLUMNS.len() as u32).collect())];
    for ((name, ty), text) in COLUMNS.iter().zip(columns) {
        let bad = || format!("column `{name}`: `{text}` does not parse");
        nodes.push(match ty {
            SchemaType::String => Node::String(text.to_string()),
            SchemaType::Int64 => Node::Int64(text.parse().map_err(|_| bad())?),
            _ => Node::Float64(text.parse().map_err(|_| bad())?),
        });
    }
    Ok(nodes)
}

fn encode(value: &[Node]) -> Vec<u8> {
    let columns: Vec<String> = value[1..]
        .iter()
        .map(|n| match n {
            Node::String(s) => s.clone(),
            Node::Int64(v) => v.to_string(),
            Node::Float64(v) => v.to_string(),
            _ => String::new(),
        })
        .collect();
    columns.join(",").into_bytes()
}

struct CsvV1;

impl Guest for CsvV1 {
    fn to_data(
        _topic: String,
        _part: Part,
        inputs: Vec<Option<Vec<u8>>>,
    ) -> Result<Vec<Result<Data, String>>, String> {
        Ok(inputs
            .into_iter()
            .map(|input| match input {
                None => Ok(Data {
                    schema: None,
                    value: Vec::new(),
                }),
                Some(line) => decode(&line).map(|value| Data {
                    schema: Some(schema()),
                    value,
                }),
            })
            .collect())
    }

    fn from_data(
        _topic: String,
        _part: Part,
        inputs: Vec<Data>,
    ) -> Result<Vec<Result<Option<Vec<u8>>, String>>, String> {
        Ok(inputs
            .iter()
            .map(|d| match d.schema {
                None => Ok(None),
                Some(_) => Ok(Some(encode(&d.value))),
            })
            .collect())
    }
}

export!(CsvV1);
