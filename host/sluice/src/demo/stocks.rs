//! Stock-ticker quotes, the records of the Kinetica Kafka connector's own quick-start
//! (its "Python KafkaProducer code": `symbol`, `sector`, `securityType`, `bidPrice`,
//! `bidSize`, `askPrice`, `askSize`, `lastUpdated`, `lastSalePrice`, `lastSaleSize`,
//! `lastSaleTime`, `volume`, `marketPercent`), written as Kafka Connect JSON with a
//! schema envelope so that the sink creates a typed table — the two times are
//! `org.apache.kafka.connect.data.Timestamp`s, so they become `timestamp` columns.
//!
//! Generation is deterministic (a seeded SplitMix64): the same seed and index always
//! give the same quote, which keeps tests and demo runs reproducible. The same quotes
//! are Connect data too ([`super::encoded::Records`]), for the data pump's Avro.

use std::fmt::Write as _;
use std::sync::LazyLock;

use sluice_record::{Data, SchemaRef, Struct, Value};

use super::rng::SplitMix64;

/// The value schema, once: the Connect JSON converter caches it by its text, so every
/// record repeats it byte for byte (as Kafka Connect's own producers do).
const SCHEMA: &str = concat!(
    r#"{"type":"struct","fields":["#,
    r#"{"type":"string","optional":false,"field":"symbol"},"#,
    r#"{"type":"string","optional":false,"field":"sector"},"#,
    r#"{"type":"string","optional":false,"field":"securityType"},"#,
    r#"{"type":"double","optional":false,"field":"bidPrice"},"#,
    r#"{"type":"int32","optional":false,"field":"bidSize"},"#,
    r#"{"type":"double","optional":false,"field":"askPrice"},"#,
    r#"{"type":"int32","optional":false,"field":"askSize"},"#,
    r#"{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"lastUpdated"},"#,
    r#"{"type":"double","optional":false,"field":"lastSalePrice"},"#,
    r#"{"type":"int32","optional":false,"field":"lastSaleSize"},"#,
    r#"{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"lastSaleTime"},"#,
    r#"{"type":"int64","optional":false,"field":"volume"},"#,
    r#"{"type":"double","optional":false,"field":"marketPercent"}"#,
    r#"],"optional":false,"name":"sluice.demo.StockQuote","version":1}"#
);

/// Symbols with their sector and a reference price the generated quotes move around.
const LISTINGS: &[(&str, &str, f64)] = &[
    ("AAPL", "technology", 187.4),
    ("MSFT", "technology", 411.2),
    ("NVDA", "semiconductors", 875.3),
    ("AMD", "semiconductors", 162.8),
    ("INTC", "semiconductors", 43.1),
    ("AMZN", "retail", 178.6),
    ("WMT", "retail", 60.2),
    ("COST", "retail", 728.9),
    ("JPM", "financials", 196.5),
    ("GS", "financials", 398.7),
    ("V", "financials", 279.3),
    ("XOM", "energy", 113.9),
    ("CVX", "energy", 158.4),
    ("JNJ", "healthcare", 156.2),
    ("PFE", "healthcare", 27.9),
    ("UNH", "healthcare", 492.1),
    ("CAT", "equipment", 334.6),
    ("DE", "equipment", 389.5),
    ("BA", "aerospace", 191.8),
    ("KO", "consumer", 60.4),
];

const SECURITY_TYPES: &[&str] = &["commonstock", "commonstock", "commonstock", "etf"];

/// 2019-01-15T21:27:53Z, the seed script's `lastUpdated`: quotes tick forward from it,
/// quote `i` at `i × 10` ms later, so each quote's `lastUpdated` is unique (what the
/// round trip of `sluice demo --round-trip` tracks).
pub const FIRST_UPDATE_MS: i64 = 1_547_587_673_240;

/// The value schema as Connect data: [`SCHEMA`] read by the JSON converter's schema
/// reader, so that the JSON and the Avro quotes cannot disagree.
static CONNECT_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let json = serde_json::from_str(SCHEMA).expect("SCHEMA is JSON");
    sluice_convert::schema_from_json(&json).expect("SCHEMA is a Connect schema")
});

/// Writes quotes. Cheap to create; one per producing thread.
#[derive(Debug, Clone)]
pub struct StockQuotes {
    seed: u64,
    /// Values in Kafka Connect's JSON envelope (`{"schema":…,"payload":…}`, what
    /// `schemas.enable=true` reads), or the payload alone.
    envelope: bool,
}

/// One quote's fields, drawn from its record's generator.
struct Quote {
    symbol: &'static str,
    sector: &'static str,
    security_type: &'static str,
    bid: f64,
    bid_size: i32,
    ask: f64,
    ask_size: i32,
    updated: i64,
    last_sale: f64,
    last_sale_size: i32,
    sale_time: i64,
    volume: i64,
    market_percent: f64,
}

impl StockQuotes {
    pub fn new(seed: u64) -> StockQuotes {
        StockQuotes {
            seed,
            envelope: true,
        }
    }

    /// Quotes as schemaless JSON: the payload without the envelope.
    pub fn schemaless(seed: u64) -> StockQuotes {
        StockQuotes {
            seed,
            envelope: false,
        }
    }

    fn quote(&self, index: u64) -> Quote {
        let mut rng = SplitMix64::for_record(self.seed, index);
        let (symbol, sector, reference) = LISTINGS[rng.below(LISTINGS.len() as u64) as usize];
        let security_type = SECURITY_TYPES[rng.below(SECURITY_TYPES.len() as u64) as usize];
        // Within ±5% of the reference, in cents; the ask is a few cents above the bid.
        let mid = reference * (0.95 + 0.10 * rng.unit());
        let bid = cents(mid);
        let ask = cents(mid + 0.01 * (1 + rng.below(5)) as f64);
        let last_sale = cents(reference * (0.95 + 0.10 * rng.unit()));
        // Each quote is 10 ms after the previous one; the last sale a little earlier.
        let updated = FIRST_UPDATE_MS + index as i64 * 10;
        let sale_time = updated - rng.below(5_000) as i64;
        Quote {
            symbol,
            sector,
            security_type,
            bid,
            ask,
            last_sale,
            updated,
            sale_time,
            bid_size: ((1 + rng.below(10)) * 100) as i32,
            ask_size: ((1 + rng.below(10)) * 100) as i32,
            last_sale_size: ((1 + rng.below(50)) * 10) as i32,
            volume: (100_000 + rng.below(9_900_000)) as i64,
            market_percent: (rng.unit() * 0.05 * 10_000.0).round() / 10_000.0,
        }
    }

    /// Quote `index`: its key (the symbol, so one symbol's quotes stay in order in one
    /// partition) into `key` and its Connect JSON value into `value` (with or without
    /// the envelope), both cleared first.
    pub fn write(&self, index: u64, key: &mut String, value: &mut String) {
        let q = self.quote(index);
        key.clear();
        key.push_str(q.symbol);
        value.clear();
        if self.envelope {
            value.push_str(r#"{"schema":"#);
            value.push_str(SCHEMA);
            value.push_str(r#","payload":"#);
        }
        // Writing to a String cannot fail.
        let _ = write!(
            value,
            r#"{{"symbol":"{}","sector":"{}","securityType":"{}","bidPrice":{:.2},"bidSize":{},"askPrice":{:.2},"askSize":{},"lastUpdated":{},"lastSalePrice":{:.2},"lastSaleSize":{},"lastSaleTime":{},"volume":{},"marketPercent":{:.4}}}"#,
            q.symbol,
            q.sector,
            q.security_type,
            q.bid,
            q.bid_size,
            q.ask,
            q.ask_size,
            q.updated,
            q.last_sale,
            q.last_sale_size,
            q.sale_time,
            q.volume,
            q.market_percent,
        );
        if self.envelope {
            value.push('}');
        }
    }
}

/// Quotes as Connect data (the schema of [`SCHEMA`]), for converters that write other
/// formats (Avro); keyed by symbol as [`StockQuotes::write`] keys them.
impl super::encoded::Records for StockQuotes {
    fn record(&self, index: u64, key: &mut String) -> Data {
        let q = self.quote(index);
        key.clear();
        key.push_str(q.symbol);
        let schema = CONNECT_SCHEMA.clone();
        let values = vec![
            Value::String(q.symbol.into()),
            Value::String(q.sector.into()),
            Value::String(q.security_type.into()),
            Value::Float64(q.bid),
            Value::Int32(q.bid_size),
            Value::Float64(q.ask),
            Value::Int32(q.ask_size),
            Value::Int64(q.updated),
            Value::Float64(q.last_sale),
            Value::Int32(q.last_sale_size),
            Value::Int64(q.sale_time),
            Value::Int64(q.volume),
            Value::Float64(q.market_percent),
        ];
        let quote = Struct::from_values(schema.clone(), values).expect("a value per field");
        Data::new(Some(schema), Value::Struct(quote))
    }
}

fn cents(price: f64) -> f64 {
    (price * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_convert::{Converter, JsonConverter};
    use sluice_record::logical::LogicalType;
    use sluice_record::{SchemaType, Value};

    fn quote(index: u64) -> (String, String) {
        let (mut key, mut value) = (String::new(), String::new());
        StockQuotes::new(7).write(index, &mut key, &mut value);
        (key, value)
    }

    #[test]
    fn quotes_are_connect_json_with_the_seed_fields_and_timestamps() {
        let (key, value) = quote(3);
        let data = JsonConverter::default()
            .to_data("stocks", Some(value.as_bytes()))
            .expect("the Connect JSON converter reads a quote");
        let schema = data.schema.expect("the envelope has a schema");
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "symbol",
                "sector",
                "securityType",
                "bidPrice",
                "bidSize",
                "askPrice",
                "askSize",
                "lastUpdated",
                "lastSalePrice",
                "lastSaleSize",
                "lastSaleTime",
                "volume",
                "marketPercent"
            ]
        );
        let (_, updated) = schema.field("lastUpdated").unwrap();
        assert_eq!(updated.schema.schema_type(), SchemaType::Int64);
        assert_eq!(updated.schema.logical(), Some(LogicalType::Timestamp));
        let Value::Struct(quote) = &data.value else {
            panic!("a struct value");
        };
        assert_eq!(
            quote.get("symbol"),
            Some(&Value::String(key.as_str().into()))
        );
        assert!(LISTINGS.iter().any(|(s, _, _)| *s == key));
    }

    #[test]
    fn the_same_index_gives_the_same_quote_and_quotes_vary() {
        assert_eq!(quote(42), quote(42));
        let distinct: std::collections::HashSet<String> = (0..100).map(|i| quote(i).1).collect();
        assert_eq!(distinct.len(), 100);
    }

    #[test]
    fn the_connect_data_of_a_quote_is_what_its_json_reads_as() {
        use crate::demo::encoded::Records as _;
        for index in 0..100 {
            let (key, value) = quote(index);
            let read = JsonConverter::default()
                .to_data("stocks", Some(value.as_bytes()))
                .unwrap();
            let mut data_key = String::new();
            let data = StockQuotes::new(7).record(index, &mut data_key);
            assert_eq!(data_key, key);
            assert_eq!(data.value, read.value, "quote {index}");
            assert_eq!(data.schema, read.schema);
        }
    }

    #[test]
    fn the_ask_is_above_the_bid() {
        for i in 0..1000 {
            let (_, value) = quote(i);
            let data = JsonConverter::default()
                .to_data("stocks", Some(value.as_bytes()))
                .unwrap();
            let Value::Struct(quote) = data.value else {
                panic!("a struct value")
            };
            let (Some(Value::Float64(bid)), Some(Value::Float64(ask))) =
                (quote.get("bidPrice"), quote.get("askPrice"))
            else {
                panic!("double prices")
            };
            assert!(ask > bid, "quote {i}: ask {ask} <= bid {bid}");
        }
    }
}
