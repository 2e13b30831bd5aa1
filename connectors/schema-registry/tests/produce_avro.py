#!/usr/bin/env python3
"""Produces Avro records to Kafka the way a Confluent client does: confluent-kafka's
AvroSerializer (Confluent's wire format: magic byte 0, the schema's 4-byte big-endian
id, Avro binary), TopicNameStrategy (the subject is `<topic>-value`), the schema
registered on first use. For end-to-end tests of Sluice's Avro converter.

    produce_avro.py --bootstrap-servers HOST:PORT --registry-url URL --topic TOPIC \
        --schema SCHEMA --records FILE [--key-field NAME]

SCHEMA is the Avro schema as JSON text, or the path of a file holding it. FILE holds the
records as JSON, one object per line (or one JSON array); values must be what fastavro
takes for the schema's types (JSON's null, booleans, numbers, strings, objects, arrays;
a union takes the plain value). With --key-field, that field's value (as a UTF-8
string) is each record's key. Flushes, then prints `schema_id=<id>` and
`produced=<count>`; exits non-zero if a record could not be delivered.

Needs `python3 -m pip install 'confluent-kafka[avro,schemaregistry]' fastavro`.
"""
import argparse
import json
import os
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def read_records(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    stripped = text.lstrip()
    if stripped.startswith("["):
        return json.loads(stripped)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--registry-url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--records", required=True)
    parser.add_argument("--key-field")
    args = parser.parse_args()

    schema = args.schema
    if os.path.isfile(schema):
        with open(schema, encoding="utf-8") as f:
            schema = f.read()
    records = read_records(args.records)

    registry = SchemaRegistryClient({"url": args.registry_url})
    serializer = AvroSerializer(registry, schema, conf={"auto.register.schemas": True})
    producer = Producer({"bootstrap.servers": args.bootstrap_servers})
    context = SerializationContext(args.topic, MessageField.VALUE)

    failures = []

    def delivered(error, _message):
        if error is not None:
            failures.append(str(error))

    schema_id = None
    for record in records:
        value = serializer(record, context)
        if schema_id is None:
            # The wire format's bytes 1..5: the id the serializer registered or found.
            schema_id = int.from_bytes(value[1:5], "big")
        key = None
        if args.key_field is not None:
            key = str(record[args.key_field]).encode("utf-8")
        producer.produce(args.topic, key=key, value=value, on_delivery=delivered)
        producer.poll(0)
    remaining = producer.flush(60)
    if remaining:
        failures.append(f"{remaining} records still undelivered after 60 s")
    if failures:
        sys.exit("produce_avro.py: " + "; ".join(failures[:5]))
    print(f"schema_id={schema_id}")
    print(f"produced={len(records)}")


if __name__ == "__main__":
    main()
