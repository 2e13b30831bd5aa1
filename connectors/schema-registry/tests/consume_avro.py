#!/usr/bin/env python3
"""Reads Avro records from Kafka the way a Confluent client does: confluent-kafka's
DeserializingConsumer with an AvroDeserializer for keys and values (Confluent's wire
format, the writer schemas fetched from the registry by id), committed transactions
only. For end-to-end tests of what Sluice writes.

    consume_avro.py --bootstrap-servers HOST:PORT --registry-url URL --topic TOPIC \
        --count N [--timeout SECONDS]

Prints one JSON object per record, `{"partition", "offset", "key", "value"}` (bytes as
`{"$bytes": "<hex>"}`, timestamps as `{"$timestamp_ms": <n>}`, dates, times and decimals
as `{"$date"|"$time"|"$decimal": "<text>"}`), in the order read, then the latest schema of the subjects
`<topic>-key` and `<topic>-value` (TopicNameStrategy) as `{"subject", "schema"}` lines.
Exits non-zero if fewer than N records arrive within the timeout (default 60 s).

Needs `python3 -m pip install 'confluent-kafka[avro,schemaregistry]' fastavro`.
"""
import argparse
import datetime
import decimal
import json
import sys
import time
import uuid

from confluent_kafka import DeserializingConsumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.error import SchemaRegistryError


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """A decoded Avro value as JSON: fastavro's logical types in `$`-tagged objects."""
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, datetime.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        return {"$timestamp_ms": (aware - EPOCH) // datetime.timedelta(milliseconds=1)}
    if isinstance(value, (datetime.date, datetime.time)):
        return {"$" + type(value).__name__: value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--registry-url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    registry = SchemaRegistryClient({"url": args.registry_url})
    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": f"consume-avro-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "key.deserializer": AvroDeserializer(registry),
            "value.deserializer": AvroDeserializer(registry),
        }
    )
    consumer.subscribe([args.topic])
    read = 0
    deadline = time.monotonic() + args.timeout
    while read < args.count and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error() is not None:
            sys.exit(f"consume_avro.py: {message.error()}")
        record = {
            "partition": message.partition(),
            "offset": message.offset(),
            "key": plain(message.key()),
            "value": plain(message.value()),
        }
        print(json.dumps(record), flush=True)
        read += 1
    consumer.close()
    if read < args.count:
        sys.exit(f"consume_avro.py: {read} of {args.count} records in {args.timeout} s")
    for part in ("key", "value"):
        subject = f"{args.topic}-{part}"
        try:
            latest = registry.get_latest_version(subject)
        except SchemaRegistryError:
            continue
        schema = json.loads(latest.schema.schema_str)
        print(json.dumps({"subject": subject, "schema": schema}), flush=True)


if __name__ == "__main__":
    main()
