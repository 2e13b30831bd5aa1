//! Destination table names: which Kinetica table a record goes to.
//!
//! The rules are the Java connector's (docs/reference/kinetica-connector-behaviour.md §2.3), so a migrated pipeline
//! writes to the same tables:
//!
//! 1. An entry of `kinetica.tables.destination_name` for the record's topic wins. The
//!    list matches `topics` position by position; an entry with a dot is a
//!    schema-qualified name (`schema.table`), one without is put in `schema_name`. The
//!    prefix is not applied to overrides. Like the Java code (and unlike its docs), the
//!    override applies whether or not `single_table_per_topic` is set.
//! 2. Otherwise, with `single_table_per_topic=true`: prefix + topic, with every `.` of the
//!    topic replaced by [`DEFAULT_DOT_REPLACEMENT`].
//! 3. Otherwise: prefix + the last dot segment of the source name (the value schema's
//!    name, or a schemaless record's string key), or prefix + topic when there is none.
//! 4. Generated names go in `schema_name` when it is set.
//!
//! Where the Java connector is wrong (docs/reference/kinetica-connector-behaviour.md §8 items 8–13) this module differs: override
//! entries are trimmed; a count mismatch, empty entries, or an override together with
//! `topics.regex` are start-up errors instead of being ignored or causing an NPE; a
//! record whose topic has no entry is an error instead of taking the single entry
//! blindly; and two different sources that would share a generated name (`a.Order` and
//! `b.Order`, or topics `a.b` and `a_b`) are reported instead of silently mixed.

use std::collections::HashMap;
use std::fmt;

use crate::settings::{SinkSettings, Subscription, keys};

/// What replaces each `.` of a topic name in a generated table name.
pub const DEFAULT_DOT_REPLACEMENT: &str = "_";

/// A Kinetica table, optionally qualified with its schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableName {
    /// The schema (`kinetica.tables.schema_name`, or the part before the dot of a
    /// `schema.table` override); `None` leaves it to the server's default schema,
    /// normally `ki_home`. Never `Some("")`.
    pub schema: Option<String>,
    /// The table name within the schema, without any dot.
    pub table: String,
}

impl TableName {
    /// A table name in `schema`; an empty schema counts as none.
    pub fn new(schema: Option<&str>, table: impl Into<String>) -> TableName {
        TableName {
            schema: schema.filter(|s| !s.is_empty()).map(str::to_owned),
            table: table.into(),
        }
    }

    /// Parses `table` or `schema.table`.
    pub fn parse(name: &str) -> Option<TableName> {
        match name.split_once('.') {
            None if !name.is_empty() => Some(TableName::new(None, name)),
            Some((schema, table)) if !schema.is_empty() && !table.is_empty() => {
                (!table.contains('.')).then(|| TableName::new(Some(schema), table))
            }
            _ => None,
        }
    }

    /// The name puts in `default_schema` unless it already names its schema.
    fn qualified(mut self, default_schema: &str) -> TableName {
        if self.schema.is_none() && !default_schema.is_empty() {
            self.schema = Some(default_schema.to_owned());
        }
        self
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.table),
            None => f.write_str(&self.table),
        }
    }
}

/// A configuration that cannot name tables consistently; reported at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingConfigError {
    /// `kinetica.tables.destination_name` is set while the subscription is
    /// `topics.regex`: overrides pair with `topics` by position, so there is nothing
    /// to pair them with.
    #[error(
        "{dest} cannot be used with {regex}: the overrides are matched to {topics} by position; \
         list the topics in {topics} or leave {dest} empty",
        dest = keys::DESTINATION_NAME, regex = keys::TOPICS_REGEX, topics = keys::TOPICS
    )]
    OverrideWithRegex,
    /// `kinetica.tables.destination_name` does not have exactly one entry per topic
    /// of `topics`.
    #[error(
        "{dest} has {names} name(s) but {topics} has {count} topic(s); give exactly one table \
         name per topic, in the same order (repeat a name to send several topics to one table), \
         or leave {dest} empty",
        dest = keys::DESTINATION_NAME, topics = keys::TOPICS
    )]
    CountMismatch {
        /// Entries in `kinetica.tables.destination_name`.
        names: usize,
        /// Topics in `topics`.
        count: usize,
    },
    /// An empty entry in the middle of `kinetica.tables.destination_name` (a single
    /// trailing comma is allowed, as Java's `split` drops it).
    #[error("{}: entry {position} is empty", keys::DESTINATION_NAME)]
    EmptyEntry {
        /// 1-based position of the empty entry.
        position: usize,
    },
    /// An override entry that is neither `table` nor `schema.table`.
    #[error(
        "{}: {name:?} is not a valid table name (use `table` or `schema.table`)",
        keys::DESTINATION_NAME
    )]
    BadName {
        /// The entry as given (trimmed).
        name: String,
    },
    /// A topic listed twice in `topics` whose two positions name different tables.
    #[error(
        "{topics}: topic {topic:?} is listed twice with different {dest} entries",
        topics = keys::TOPICS, dest = keys::DESTINATION_NAME
    )]
    ConflictingTopic {
        /// The repeated topic.
        topic: String,
    },
    /// With `single_table_per_topic`, two listed topics generate the same table
    /// name (e.g. `a.b` and `a_b`).
    #[error(
        "topics {first:?} and {second:?} would both write to table {table} (dots in topic names \
         become {DEFAULT_DOT_REPLACEMENT:?}); set {dest} to name their tables explicitly",
        dest = keys::DESTINATION_NAME
    )]
    TopicCollision {
        /// The topic listed first.
        first: String,
        /// The later topic that would write to the same table.
        second: String,
        /// The shared table name, as `schema.table` or `table`.
        table: String,
    },
}

/// The parsed `kinetica.tables.destination_name`: topic → table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestinationOverrides(HashMap<String, TableName>);

impl DestinationOverrides {
    /// Checks the override list against the subscription and pairs them up.
    pub fn parse(
        raw: &str,
        subscription: &Subscription,
    ) -> Result<DestinationOverrides, NamingConfigError> {
        if raw.trim().is_empty() {
            return Ok(DestinationOverrides::default());
        }
        let topics = match subscription {
            Subscription::Regex(_) => return Err(NamingConfigError::OverrideWithRegex),
            Subscription::Topics(topics) => topics,
        };
        let mut names: Vec<&str> = raw.split(',').map(str::trim).collect();
        // `a,b,` is two names, as Java's split reads it; an empty entry anywhere else
        // shifts every later position, so it is refused.
        if names.len() > 1 && names.last() == Some(&"") {
            names.pop();
        }
        if let Some(position) = names.iter().position(|n| n.is_empty()) {
            return Err(NamingConfigError::EmptyEntry {
                position: position + 1,
            });
        }
        if names.len() != topics.len() {
            return Err(NamingConfigError::CountMismatch {
                names: names.len(),
                count: topics.len(),
            });
        }
        let mut map = HashMap::new();
        for (topic, name) in topics.iter().zip(names) {
            let table = TableName::parse(name).ok_or_else(|| NamingConfigError::BadName {
                name: name.to_owned(),
            })?;
            if let Some(previous) = map.insert(topic.clone(), table.clone())
                && previous != table
            {
                return Err(NamingConfigError::ConflictingTopic {
                    topic: topic.clone(),
                });
            }
        }
        Ok(DestinationOverrides(map))
    }

    /// Whether `kinetica.tables.destination_name` was empty (tables are generated).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of distinct topics with an override.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The override for `topic`, as written (not yet put in `schema_name`).
    pub fn get(&self, topic: &str) -> Option<&TableName> {
        self.0.get(topic)
    }
}

/// Where a destination name came from: used to tell a deliberate shared table from an
/// accidental collision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An explicit `destination_name` entry: sharing is what the user asked for.
    Override,
    /// Generated from this topic.
    Topic(String),
    /// Generated from this full source name (schema name or string key).
    Source(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Override => f.write_str(keys::DESTINATION_NAME),
            Origin::Topic(t) => write!(f, "topic {t:?}"),
            Origin::Source(s) => write!(f, "source name {s:?}"),
        }
    }
}

/// The table a record goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The destination table, already put in `kinetica.tables.schema_name` when set.
    pub table: TableName,
    /// What the name was derived from.
    pub origin: Origin,
}

/// A record that cannot be given a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingError {
    /// Overrides are set but the record's topic has none (it is not in `topics`).
    #[error(
        "topic {topic:?} has no entry in {dest} (which lists tables for {topics} by position)",
        dest = keys::DESTINATION_NAME, topics = keys::TOPICS
    )]
    NoOverride {
        /// The record's topic.
        topic: String,
    },
    /// The record has an empty topic and no usable source name.
    #[error("cannot name a table: the record has neither a topic nor a source name")]
    NoName,
    /// Two different sources generate the same table name (e.g. schemas `a.Order`
    /// and `b.Order`), which would mix unrelated records in one table.
    #[error(
        "table {table} is already written from {first}; {second} would write to it too \
         (names keep only the last dot segment). Set {dest} or {single} to choose the tables",
        dest = keys::DESTINATION_NAME, single = keys::SINGLE_TABLE_PER_TOPIC
    )]
    Collision {
        /// The shared table name, as `schema.table` or `table`.
        table: String,
        /// The source that claimed the table first.
        first: Origin,
        /// The source that would write to it too.
        second: Origin,
    },
}

/// Applies the naming rules of the module docs.
#[derive(Debug, Clone)]
pub struct TableNamer {
    schema_name: String,
    prefix: String,
    single_table_per_topic: bool,
    overrides: DestinationOverrides,
}

impl TableNamer {
    /// Builds the namer and, for a topic list in single-table mode, checks up front that
    /// no two topics generate the same table name.
    pub fn new(settings: &SinkSettings) -> Result<TableNamer, NamingConfigError> {
        let namer = TableNamer {
            schema_name: settings.schema_name.clone(),
            prefix: settings.prefix.trim().to_owned(),
            single_table_per_topic: settings.single_table_per_topic,
            overrides: settings.overrides.clone(),
        };
        if namer.single_table_per_topic {
            let mut claims = Claims::default();
            for topic in settings.subscription.topics() {
                if let Ok(dest) = namer.destination(topic, None)
                    && let Err(NamingError::Collision { first, table, .. }) = claims.claim(&dest)
                {
                    let Origin::Topic(first) = first else {
                        unreachable!("only overrides and topics name tables here")
                    };
                    return Err(NamingConfigError::TopicCollision {
                        first,
                        second: topic.clone(),
                        table,
                    });
                }
            }
        }
        Ok(namer)
    }

    /// Whether [`destination`](Self::destination) looks at the source name of a
    /// record of `topic`: not with table overrides, nor with a table per (named) topic.
    pub fn reads_source_names(&self, topic: &str) -> bool {
        self.overrides.is_empty() && (!self.single_table_per_topic || topic.is_empty())
    }

    /// The table for a record of `topic` whose source name (value schema name, or string
    /// key of a schemaless record) is `source_name`.
    pub fn destination(
        &self,
        topic: &str,
        source_name: Option<&str>,
    ) -> Result<Destination, NamingError> {
        if !self.overrides.is_empty() {
            let table = self
                .overrides
                .get(topic)
                .ok_or_else(|| NamingError::NoOverride {
                    topic: topic.to_owned(),
                })?;
            return Ok(Destination {
                table: table.clone().qualified(&self.schema_name),
                origin: Origin::Override,
            });
        }
        let source = source_name.and_then(|s| last_segment(s).map(|seg| (s, seg)));
        let from_topic = self.single_table_per_topic || source.is_none();
        let (base, origin) = match source {
            _ if from_topic && !topic.is_empty() => (
                topic.replace('.', DEFAULT_DOT_REPLACEMENT),
                Origin::Topic(topic.to_owned()),
            ),
            Some((full, segment)) => (segment.to_owned(), Origin::Source(full.to_owned())),
            None => return Err(NamingError::NoName),
        };
        Ok(Destination {
            table: TableName::new(None, format!("{}{base}", self.prefix))
                .qualified(&self.schema_name),
            origin,
        })
    }
}

/// The text after the last `.` (Java's `simple()`), ignoring trailing dots; `None` when
/// nothing is left.
fn last_segment(name: &str) -> Option<&str> {
    name.split('.').rev().find(|s| !s.is_empty())
}

/// Remembers which origin generated each table name, to catch two different sources
/// landing in one table by accident.
#[derive(Debug, Default)]
pub struct Claims(HashMap<TableName, Origin>);

impl Claims {
    /// Records that `dest.origin` writes to `dest.table`; fails with
    /// [`NamingError::Collision`] when another generated origin claimed it first.
    /// Overrides never collide: a shared override table is deliberate.
    pub fn claim(&mut self, dest: &Destination) -> Result<(), NamingError> {
        if dest.origin == Origin::Override {
            return Ok(());
        }
        match self.0.get(&dest.table) {
            Some(first) if *first != dest.origin => Err(NamingError::Collision {
                table: dest.table.to_string(),
                first: first.clone(),
                second: dest.origin.clone(),
            }),
            Some(_) => Ok(()),
            None => {
                self.0.insert(dest.table.clone(), dest.origin.clone());
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// One row of the behaviour notes' table: config, record, expected table.
    struct Case {
        topics: Option<&'static str>,
        topic: &'static str,
        single: bool,
        schema: &'static str,
        prefix: &'static str,
        dest: &'static str,
    }

    fn namer(c: &Case) -> Result<TableNamer, String> {
        let mut props = BTreeMap::from([
            (keys::URL.to_string(), "http://h:9191".to_string()),
            (keys::SCHEMA_NAME.into(), c.schema.into()),
            (keys::PREFIX.into(), c.prefix.into()),
            (keys::DESTINATION_NAME.into(), c.dest.into()),
            (keys::SINGLE_TABLE_PER_TOPIC.into(), c.single.to_string()),
        ]);
        match c.topics {
            Some(t) => props.insert(keys::TOPICS.into(), t.into()),
            None => props.insert(keys::TOPICS_REGEX.into(), "^.*".into()),
        };
        let settings = SinkSettings::from_props(&props).map_err(|e| e.to_string())?;
        TableNamer::new(&settings).map_err(|e| e.to_string())
    }

    fn name(c: Case) -> String {
        let namer = namer(&c).unwrap();
        namer
            .destination(c.topic, Some("some_schema"))
            .unwrap()
            .table
            .to_string()
    }

    macro_rules! case {
        ($topics:expr, $topic:expr, $single:expr, $schema:expr, $prefix:expr, $dest:expr) => {
            Case {
                topics: $topics,
                topic: $topic,
                single: $single,
                schema: $schema,
                prefix: $prefix,
                dest: $dest,
            }
        };
    }

    const T3: Option<&str> = Some("topic1,topic2,topic3");
    const DOTTED3: Option<&str> = Some("to.pi.c1,to.pi.c2,to.pi.c3");

    #[test]
    fn java_worked_examples_without_overrides() {
        // (topics, record topic, single, S, P) → table, from SinkSchemaManagerTest.
        let expected = [
            (case!(None, "", false, "", "", ""), "some_schema"),
            (
                case!(Some("some_topic"), "some_topic", true, "", "", ""),
                "some_topic",
            ),
            (case!(T3, "topic1", true, "", "", ""), "topic1"),
            (
                case!(Some("some.topic"), "some.topic", true, "", "", ""),
                "some_topic",
            ),
            (case!(DOTTED3, "to.pi.c1", true, "", "", ""), "to_pi_c1"),
            (
                case!(None, "", false, "", "prefix_", ""),
                "prefix_some_schema",
            ),
            (
                case!(Some("some_topic"), "some_topic", true, "", "prefix_", ""),
                "prefix_some_topic",
            ),
            (
                case!(T3, "topic1", true, "", "prefix_", ""),
                "prefix_topic1",
            ),
            (
                case!(DOTTED3, "to.pi.c1", true, "", "prefix_", ""),
                "prefix_to_pi_c1",
            ),
            (case!(None, "", false, "TEST", "", ""), "TEST.some_schema"),
            (
                case!(Some("some_topic"), "some_topic", true, "TEST", "", ""),
                "TEST.some_topic",
            ),
            (case!(T3, "topic1", true, "TEST", "", ""), "TEST.topic1"),
            (
                case!(Some("some.topic"), "some.topic", true, "TEST", "", ""),
                "TEST.some_topic",
            ),
            (
                case!(DOTTED3, "to.pi.c1", true, "TEST", "", ""),
                "TEST.to_pi_c1",
            ),
            (
                case!(None, "", false, "TEST", "prefix_", ""),
                "TEST.prefix_some_schema",
            ),
            (
                case!(
                    Some("some_topic"),
                    "some_topic",
                    true,
                    "TEST",
                    "prefix_",
                    ""
                ),
                "TEST.prefix_some_topic",
            ),
            (
                case!(T3, "topic1", true, "TEST", "prefix_", ""),
                "TEST.prefix_topic1",
            ),
            (
                case!(DOTTED3, "to.pi.c1", true, "TEST", "prefix_", ""),
                "TEST.prefix_to_pi_c1",
            ),
        ];
        for (case, table) in expected {
            assert_eq!(name(case), table);
        }
    }

    #[test]
    fn java_worked_examples_with_overrides() {
        let expected = [
            (
                case!(
                    Some("some_topic"),
                    "some_topic",
                    true,
                    "",
                    "",
                    "tableOverride"
                ),
                "tableOverride",
            ),
            (
                case!(
                    Some("some.topic1,some.topic2,some.topic3"),
                    "some.topic1",
                    true,
                    "",
                    "",
                    "Kinetica.DestinationTable1,Kinetica.DestinationTable2,Kinetica.DestinationTable3"
                ),
                "Kinetica.DestinationTable1",
            ),
            (
                case!(
                    Some("some_topic"),
                    "some_topic",
                    true,
                    "TEST",
                    "",
                    "tableOverride"
                ),
                "TEST.tableOverride",
            ),
            // The prefix is not applied to overrides.
            (
                case!(
                    Some("some_topic"),
                    "some_topic",
                    true,
                    "TEST",
                    "prefix_",
                    "tableOverride"
                ),
                "TEST.tableOverride",
            ),
            (
                case!(
                    T3,
                    "topic1",
                    true,
                    "",
                    "prefix_",
                    "table.Override1,table.Override2,table.Override3"
                ),
                "table.Override1",
            ),
            (
                case!(
                    T3,
                    "topic1",
                    true,
                    "TEST",
                    "",
                    "tableOverride1,tableOverride2,tableOverride3"
                ),
                "TEST.tableOverride1",
            ),
            // A schema-qualified override ignores schema_name.
            (
                case!(
                    DOTTED3,
                    "to.pi.c1",
                    true,
                    "TEST",
                    "prefix_",
                    "table.Override1,table.Override2,table.Override3"
                ),
                "table.Override1",
            ),
        ];
        for (case, table) in expected {
            assert_eq!(name(case), table);
        }
    }

    #[test]
    fn more_java_examples() {
        // Source schema `TEST.outKafkaConnectorTest`, prefix `out`, S=TEST, single=false.
        let n = namer(&case!(Some("t"), "t", false, "TEST", "out", "")).unwrap();
        let d = n
            .destination("t", Some("TEST.outKafkaConnectorTest"))
            .unwrap();
        assert_eq!(d.table.to_string(), "TEST.outoutKafkaConnectorTest");
        assert_eq!(
            d.origin,
            Origin::Source("TEST.outKafkaConnectorTest".into())
        );
        // OGG: the string key names the source table.
        let d = n.destination("t", Some("CON_RPT.RX_TX_FIN_EVENT")).unwrap();
        assert_eq!(d.table.to_string(), "TEST.outRX_TX_FIN_EVENT");
        // Multi-dot topic in single-table mode.
        let n = namer(&case!(
            Some("test.multidot.topic1"),
            "test.multidot.topic1",
            true,
            "ki_home",
            "default_schema_",
            ""
        ))
        .unwrap();
        assert_eq!(
            n.destination("test.multidot.topic1", Some("x"))
                .unwrap()
                .table
                .to_string(),
            "ki_home.default_schema_test_multidot_topic1"
        );
    }

    #[test]
    fn without_a_source_name_the_topic_names_the_table() {
        let n = namer(&case!(Some("a.b"), "a.b", false, "S", "p_", "")).unwrap();
        let d = n.destination("a.b", None).unwrap();
        assert_eq!(d.table, TableName::new(Some("S"), "p_a_b"));
        assert_eq!(d.origin, Origin::Topic("a.b".into()));
        // Trailing dots are ignored, as Java's split does; nothing left means no name.
        let d = n.destination("a.b", Some("com.acme.Order.")).unwrap();
        assert_eq!(d.table.table, "p_Order");
        assert_eq!(
            n.destination("a.b", Some("...")).unwrap().origin,
            Origin::Topic("a.b".into())
        );
        assert_eq!(n.destination("", None), Err(NamingError::NoName));
    }

    #[test]
    fn overrides_are_trimmed_and_matched_to_their_topic() {
        let n = namer(&case!(Some("a, b ,c"), "a", false, "", "", " x , s.y,z ,")).unwrap();
        assert_eq!(n.destination("a", None).unwrap().table.to_string(), "x");
        assert_eq!(n.destination("b", None).unwrap().table.to_string(), "s.y");
        assert_eq!(n.destination("c", None).unwrap().table.to_string(), "z");
        // Applies with single_table_per_topic=false too, as the Java code does.
        assert_eq!(
            n.destination("a", Some("com.Order")).unwrap().origin,
            Origin::Override
        );
        // A topic the list does not cover is an error, not the first entry.
        assert_eq!(
            n.destination("d", None),
            Err(NamingError::NoOverride { topic: "d".into() })
        );
        // One topic, one name: still checked against the topic.
        let n = namer(&case!(Some("a"), "a", true, "", "", "x")).unwrap();
        assert!(n.destination("other", None).is_err());
    }

    #[test]
    fn inconsistent_override_lists_fail_at_start_up() {
        let err = |c: Case| namer(&c).unwrap_err();
        // Java silently ignored a count mismatch; we refuse it.
        let e = err(case!(T3, "topic1", true, "", "", "tableOverride1"));
        assert!(e.contains("1 name(s) but topics has 3"), "{e}");
        let e = err(case!(Some("a"), "a", true, "", "", "x,y"));
        assert!(e.contains("2 name(s) but topics has 1"), "{e}");
        // Java threw an NPE per record with topics.regex.
        let e = err(case!(None, "a", true, "", "", "x"));
        assert!(e.contains("topics.regex"), "{e}");
        let e = err(case!(Some("a,b,c"), "a", true, "", "", "x,,z"));
        assert!(e.contains("entry 2 is empty"), "{e}");
        let e = err(case!(Some("a"), "a", true, "", "", "a.b.c"));
        assert!(e.contains("not a valid table name"), "{e}");
        let e = err(case!(Some("a,a"), "a", true, "", "", "x,y"));
        assert!(e.contains("listed twice"), "{e}");
        // Listing the same topic twice with the same table is harmless.
        assert!(namer(&case!(Some("a,a"), "a", true, "", "", "x,x")).is_ok());
    }

    #[test]
    fn several_topics_may_share_one_table_explicitly() {
        let n = namer(&case!(Some("a,b"), "a", true, "S", "", "all,all")).unwrap();
        let mut claims = Claims::default();
        for topic in ["a", "b"] {
            let d = n.destination(topic, None).unwrap();
            assert_eq!(d.table.to_string(), "S.all");
            claims.claim(&d).unwrap();
        }
    }

    #[test]
    fn topics_that_generate_the_same_table_fail_at_start_up() {
        let e = namer(&case!(Some("a.b,a_b"), "a", true, "", "", "")).unwrap_err();
        assert!(e.contains("\"a.b\" and \"a_b\""), "{e}");
        assert!(e.contains("table a_b"), "{e}");
        // Explicit names resolve it.
        assert!(namer(&case!(Some("a.b,a_b"), "a", true, "", "", "x,y")).is_ok());
    }

    #[test]
    fn sources_that_share_a_last_segment_collide() {
        let n = namer(&case!(None, "t", false, "", "", "")).unwrap();
        let mut claims = Claims::default();
        let a = n.destination("t", Some("com.a.Order")).unwrap();
        let a_again = n.destination("u", Some("com.a.Order")).unwrap();
        let b = n.destination("t", Some("com.b.Order")).unwrap();
        claims.claim(&a).unwrap();
        claims.claim(&a_again).unwrap();
        let err = claims.claim(&b).unwrap_err();
        assert_eq!(
            err,
            NamingError::Collision {
                table: "Order".into(),
                first: Origin::Source("com.a.Order".into()),
                second: Origin::Source("com.b.Order".into()),
            }
        );
        assert!(err.to_string().contains("com.b.Order"), "{err}");
    }

    #[test]
    fn table_names_parse_and_print() {
        assert_eq!(TableName::parse("t"), Some(TableName::new(None, "t")));
        assert_eq!(
            TableName::parse("s.t"),
            Some(TableName::new(Some("s"), "t"))
        );
        for bad in ["", ".t", "s.", "a.b.c"] {
            assert_eq!(TableName::parse(bad), None, "{bad}");
        }
        assert_eq!(TableName::new(Some(""), "t").to_string(), "t");
    }
}
