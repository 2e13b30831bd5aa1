//! Stock-ticker quotes, the records of the Kinetica Kafka connector's own quick-start
//! (its "Python KafkaProducer code": `symbol`, `sector`, `securityType`, `bidPrice`,
//! `bidSize`, `askPrice`, `askSize`, `lastUpdated`, `lastSalePrice`, `lastSaleSize`,
//! `lastSaleTime`, `volume`, `marketPercent`), written as Kafka Connect JSON with a
//! schema envelope so that the sink creates a typed table — the two times are
//! `org.apache.kafka.connect.data.Timestamp`s, so they become `timestamp` columns.
//!
//! Generation is deterministic (a seeded SplitMix64): the same seed and index always
//! give the same quote, which keeps tests and demo runs reproducible.

use std::fmt::Write as _;

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

/// Writes quotes. Cheap to create; one per producing thread.
#[derive(Debug, Clone)]
pub struct StockQuotes {
    seed: u64,
    /// Values in Kafka Connect's JSON envelope (`{"schema":…,"payload":…}`, what
    /// `schemas.enable=true` reads), or the payload alone.
    envelope: bool,
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

    /// Quote `index`: its key (the symbol, so one symbol's quotes stay in order in one
    /// partition) into `key` and its Connect JSON value into `value` (with or without
    /// the envelope), both cleared first.
    pub fn write(&self, index: u64, key: &mut String, value: &mut String) {
        let mut rng = SplitMix64(self.seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (symbol, sector, reference) = LISTINGS[(rng.next() % LISTINGS.len() as u64) as usize];
        let security_type = SECURITY_TYPES[(rng.next() % SECURITY_TYPES.len() as u64) as usize];
        // Within ±5% of the reference, in cents; the ask is a few cents above the bid.
        let mid = reference * (0.95 + 0.10 * rng.unit());
        let bid = cents(mid);
        let ask = cents(mid + 0.01 * (1 + rng.next() % 5) as f64);
        let last_sale = cents(reference * (0.95 + 0.10 * rng.unit()));
        // Each quote is 10 ms after the previous one; the last sale a little earlier.
        let updated = FIRST_UPDATE_MS + index as i64 * 10;
        let sale_time = updated - (rng.next() % 5_000) as i64;

        key.clear();
        key.push_str(symbol);
        value.clear();
        if self.envelope {
            value.push_str(r#"{"schema":"#);
            value.push_str(SCHEMA);
            value.push_str(r#","payload":"#);
        }
        // Writing to a String cannot fail.
        let _ = write!(
            value,
            r#"{{"symbol":"{symbol}","sector":"{sector}","securityType":"{security_type}","bidPrice":{bid:.2},"bidSize":{},"askPrice":{ask:.2},"askSize":{},"lastUpdated":{updated},"lastSalePrice":{last_sale:.2},"lastSaleSize":{},"lastSaleTime":{sale_time},"volume":{},"marketPercent":{:.4}}}"#,
            (1 + rng.next() % 10) * 100,
            (1 + rng.next() % 10) * 100,
            (1 + rng.next() % 50) * 10,
            100_000 + rng.next() % 9_900_000,
            rng.unit() * 0.05,
        );
        if self.envelope {
            value.push('}');
        }
    }
}

fn cents(price: f64) -> f64 {
    (price * 100.0).round() / 100.0
}

/// SplitMix64: tiny, fast, and good enough for made-up prices (not for anything else).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
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
        assert_eq!(quote.get("symbol"), Some(&Value::String(key.clone())));
        assert!(LISTINGS.iter().any(|(s, _, _)| *s == key));
    }

    #[test]
    fn the_same_index_gives_the_same_quote_and_quotes_vary() {
        assert_eq!(quote(42), quote(42));
        let distinct: std::collections::HashSet<String> = (0..100).map(|i| quote(i).1).collect();
        assert_eq!(distinct.len(), 100);
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
