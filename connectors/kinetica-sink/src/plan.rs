//! Sorting a batch into per-table groups before anything is sent.
//!
//! Tombstones are counted and skipped; values that cannot be rows (strings, numbers,
//! arrays…) and records that cannot be named fail individually; everything else joins
//! its destination table's group, in batch order.

use std::collections::{HashMap, HashSet};

use sluice_record::{Record, Value};

use crate::naming::{Claims, Origin, TableName, TableNamer};
use crate::report::{RecordError, RecordFailure};
use crate::type_map::MappingError;

/// The records of one destination table, by index into the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub table: TableName,
    pub records: Vec<usize>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// In the order each table first appears in the batch.
    pub groups: Vec<Group>,
    pub failures: Vec<RecordFailure>,
    pub tombstones: usize,
}

/// Names tables for records, remembering across batches which source claimed which
/// table and which topics were already warned about.
#[derive(Debug)]
pub struct Planner {
    namer: TableNamer,
    single_table_per_topic: bool,
    claims: Claims,
    warned_topics: HashSet<String>,
}

impl Planner {
    pub fn new(namer: TableNamer, single_table_per_topic: bool) -> Planner {
        Planner {
            namer,
            single_table_per_topic,
            claims: Claims::default(),
            warned_topics: HashSet::new(),
        }
    }

    pub fn plan(&mut self, records: &[Record]) -> Plan {
        let mut plan = Plan::default();
        let mut group_of: HashMap<TableName, usize> = HashMap::new();
        // Consecutive records nearly always go to the same table: the last named
        // record's topic, source name and group spare the next one the naming, the
        // claim and the lookup (which allocate and hash per record).
        let mut last: Option<(&str, Option<&str>, usize)> = None;
        for (index, record) in records.iter().enumerate() {
            let fail = |error: RecordError| RecordFailure {
                index,
                coordinates: record.coordinates(),
                error,
            };
            match &record.value.value {
                Value::Null => {
                    plan.tombstones += 1;
                    continue;
                }
                Value::Struct(_) | Value::Map(_) => {}
                other => {
                    plan.failures.push(fail(
                        MappingError::NotARow {
                            found: format!("a {}", other.type_name()),
                        }
                        .into(),
                    ));
                    continue;
                }
            }
            let source = source_name(record);
            if let Some((topic, name, slot)) = last
                && topic == &*record.topic
                && (name == source || !self.namer.reads_source_names(topic))
            {
                plan.groups[slot].records.push(index);
                continue;
            }
            let dest = match self.namer.destination(&record.topic, source) {
                Ok(dest) => dest,
                Err(e) => {
                    plan.failures.push(fail(e.into()));
                    continue;
                }
            };
            if let Err(e) = self.claims.claim(&dest) {
                plan.failures.push(fail(e.into()));
                continue;
            }
            if let Origin::Topic(topic) = &dest.origin
                && !self.single_table_per_topic
                && self.warned_topics.insert(topic.clone())
            {
                tracing::warn!(
                    topic = %topic,
                    table = %dest.table,
                    "records of this topic have no value schema name (or string key) to name \
                     their table; using the topic name"
                );
            }
            let slot = *group_of.entry(dest.table.clone()).or_insert_with(|| {
                plan.groups.push(Group {
                    table: dest.table,
                    records: Vec::new(),
                });
                plan.groups.len() - 1
            });
            plan.groups[slot].records.push(index);
            last = Some((&record.topic, source, slot));
        }
        plan
    }
}

/// The name a record's table is generated from when not named after its topic: the
/// value schema's name, or, for schemaless maps, a string key (Oracle GoldenGate
/// producers put the source table there, docs/reference/kinetica-connector-behaviour.md §2.7).
pub fn source_name(record: &Record) -> Option<&str> {
    if let Some(schema) = &record.value.schema {
        return schema.name.as_deref();
    }
    match &record.value.value {
        Value::Struct(s) => s.schema().name.as_deref(),
        Value::Map(_) => record.key.value.as_str(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sluice_record::{Data, SchemaBuilder, SchemaRef, Struct};

    use super::*;
    use crate::settings::{SinkSettings, keys};

    fn planner(extra: &[(&str, &str)]) -> Planner {
        let mut props = BTreeMap::from([(keys::URL.to_string(), "http://h:9191".to_string())]);
        for (k, v) in extra {
            props.insert(k.to_string(), v.to_string());
        }
        let s = SinkSettings::from_props(&props).unwrap();
        Planner::new(TableNamer::new(&s).unwrap(), s.single_table_per_topic)
    }

    fn schema(name: &str) -> SchemaRef {
        SchemaBuilder::structure()
            .name(name)
            .field("id", SchemaBuilder::int32().build_ref())
            .build_ref()
    }

    fn record(topic: &str, offset: i64, value: Data) -> Record {
        Record::new(topic, 0, offset).with_value(value)
    }

    fn structured(topic: &str, offset: i64, s: &SchemaRef) -> Record {
        let v = Value::Struct(Struct::new(s.clone()).with("id", 1));
        record(topic, offset, Data::with_schema(s.clone(), v))
    }

    fn map() -> Value {
        Value::Map(vec![("id".into(), Value::Int64(1))])
    }

    #[test]
    fn records_group_by_table_in_batch_order() {
        let mut p = planner(&[(keys::TOPICS, "t")]);
        let (a, b) = (schema("com.acme.A"), schema("com.acme.B"));
        let records = [
            structured("t", 0, &a),
            structured("t", 1, &b),
            structured("t", 2, &a),
            record("t", 3, Data::NULL),
        ];
        let plan = p.plan(&records);
        assert_eq!(
            plan.groups,
            vec![
                Group {
                    table: TableName::new(None, "A"),
                    records: vec![0, 2]
                },
                Group {
                    table: TableName::new(None, "B"),
                    records: vec![1]
                },
            ]
        );
        assert_eq!(plan.tombstones, 1);
        assert!(plan.failures.is_empty());
    }

    #[test]
    fn runs_of_records_of_one_topic_and_name_stay_apart_from_the_next_run() {
        let mut p = planner(&[(keys::TOPICS, "t,u")]);
        let keyed = |topic: &str, offset, key: &str| {
            record(topic, offset, Data::schemaless(map())).with_key(Data::schemaless(key.into()))
        };
        let records = [
            keyed("t", 0, "db.A"),
            keyed("t", 1, "db.A"),
            keyed("t", 2, "db.B"),
            keyed("u", 0, "db.B"),
            record("u", 1, Data::schemaless(map())),
            keyed("t", 3, "db.A"),
        ];
        let plan = p.plan(&records);
        let groups: Vec<(String, Vec<usize>)> = plan
            .groups
            .iter()
            .map(|g| (g.table.to_string(), g.records.clone()))
            .collect();
        assert_eq!(
            groups,
            [
                ("A".to_string(), vec![0, 1, 5]),
                ("B".to_string(), vec![2, 3]),
                ("u".to_string(), vec![4]),
            ]
        );
    }

    #[test]
    fn an_override_names_every_record_of_its_topic_whatever_the_key() {
        let mut p = planner(&[(keys::TOPICS, "t"), (keys::DESTINATION_NAME, "orders")]);
        let records: Vec<Record> = (0..3)
            .map(|i| {
                record("t", i, Data::schemaless(map()))
                    .with_key(Data::schemaless(format!("db.K{i}").into()))
            })
            .collect();
        let plan = p.plan(&records);
        assert_eq!(plan.groups.len(), 1, "{:?}", plan.groups);
        assert_eq!(plan.groups[0].table.to_string(), "orders");
        assert_eq!(plan.groups[0].records, vec![0, 1, 2]);
    }

    #[test]
    fn primitive_values_fail_individually() {
        let mut p = planner(&[(keys::TOPICS, "t")]);
        let records = [
            record("t", 5, Data::schemaless("plain text".into())),
            record("t", 6, Data::schemaless(map())),
        ];
        let plan = p.plan(&records);
        assert_eq!(plan.failures.len(), 1);
        let f = &plan.failures[0];
        assert_eq!((f.index, f.coordinates.as_str()), (0, "t-0@5"));
        assert!(f.to_string().contains("HoistField"), "{f}");
        assert!(!f.to_string().contains("plain text"), "{f}");
        assert_eq!(plan.groups[0].records, vec![1]);
    }

    #[test]
    fn schemaless_records_are_named_by_string_key_or_topic() {
        let mut p = planner(&[(keys::TOPICS, "t.x"), (keys::PREFIX, "out_")]);
        let keyed = record("t.x", 0, Data::schemaless(map()))
            .with_key(Data::schemaless("CON_RPT.RX_TX_FIN_EVENT".into()));
        let numeric_key =
            record("t.x", 1, Data::schemaless(map())).with_key(Data::schemaless(Value::Int64(7)));
        let plan = p.plan(&[keyed, numeric_key]);
        let tables: Vec<String> = plan.groups.iter().map(|g| g.table.to_string()).collect();
        assert_eq!(tables, ["out_RX_TX_FIN_EVENT", "out_t_x"]);
    }

    #[test]
    fn single_table_per_topic_ignores_schema_names() {
        let mut p = planner(&[
            (keys::TOPICS, "t"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
            (keys::SCHEMA_NAME, "S"),
        ]);
        let plan = p.plan(&[
            structured("t", 0, &schema("a.A")),
            structured("t", 1, &schema("b.B")),
        ]);
        assert_eq!(plan.groups.len(), 1);
        assert_eq!(plan.groups[0].table.to_string(), "S.t");
    }

    #[test]
    fn colliding_sources_fail_the_later_records() {
        let mut p = planner(&[(keys::TOPICS, "t")]);
        let first = p.plan(&[structured("t", 0, &schema("a.Order"))]);
        assert!(first.failures.is_empty());
        // The claim survives into later batches.
        let second = p.plan(&[structured("t", 1, &schema("b.Order"))]);
        assert!(second.groups.is_empty());
        assert!(
            second.failures[0].to_string().contains("b.Order"),
            "{}",
            second.failures[0]
        );
    }

    #[test]
    fn unmatched_override_topics_fail() {
        let mut p = planner(&[(keys::TOPICS, "t"), (keys::DESTINATION_NAME, "x")]);
        let plan = p.plan(&[
            structured("t", 0, &schema("A")),
            structured("renamed", 1, &schema("A")),
        ]);
        assert_eq!(plan.groups[0].table.to_string(), "x");
        assert_eq!(plan.failures[0].index, 1);
    }
}
