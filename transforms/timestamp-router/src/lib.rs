//! Kafka Connect's `TimestampRouter`
//! (`org.apache.kafka.connect.transforms.TimestampRouter`): the topic becomes
//! `topic.format` with `${topic}` replaced by the record's topic and `${timestamp}` by
//! its timestamp formatted with `timestamp.format` (a `java.text.SimpleDateFormat`
//! pattern, in UTC; see `sluice_sdk::date_format` for the letters supported). A record
//! without a timestamp is rejected, as Kafka Connect fails it.
use sluice_sdk::date_format::DateFormat;
use sluice_sdk::prelude::*;

struct TimestampRouter {
    topic_format: String,
    timestamp_format: DateFormat,
}

impl Transform for TimestampRouter {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "topic.format",
                Some("${topic}-${timestamp}"),
                "Format string which can contain `${topic}` and `${timestamp}` as placeholders for the topic and timestamp, respectively.",
            ),
            Property::string(
                "timestamp.format",
                Some("yyyyMMdd"),
                "Format string for the timestamp that is compatible with `java.text.SimpleDateFormat`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let topic_format = config
            .get("topic.format")
            .unwrap_or("${topic}-${timestamp}")
            .to_string();
        let timestamp_format =
            DateFormat::parse(config.get("timestamp.format").unwrap_or("yyyyMMdd"))
                .map_err(|e| Error::InvalidConfig(format!("`timestamp.format`: {e}")))?;
        Ok(TimestampRouter {
            topic_format,
            timestamp_format,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let batch_topic = batch.batch_topic();
        for i in 0..batch.len() {
            let Some(ts) = batch.timestamp(i) else {
                batch.reject(i, "TimestampRouter: the record has no timestamp");
                continue;
            };
            let topic = batch_topic.clone().unwrap_or_else(|| batch.topic(i));
            // `${topic}` first, then `${timestamp}`, as Kafka Connect does: a topic
            // containing `${timestamp}` gets it replaced too.
            let routed = self
                .topic_format
                .replace("${topic}", &topic)
                .replace("${timestamp}", &self.timestamp_format.format(ts));
            batch.set_topic(i, &routed);
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(TimestampRouter);
