#!/usr/bin/env python3
"""Confluent's own Schema Registry client (confluent-kafka's SchemaRegistryClient), for
tests/registry.rs: the registry and sluice-schema-registry are held to what it does.

    confluent_client.py URL register SUBJECT SCHEMA_JSON
        registers an Avro schema; prints {"id", "version", "schema"} of the subject's
        latest version
    confluent_client.py URL by-id ID
        prints {"schema", "type"} of the schema with that global id

Needs `python3 -m pip install 'confluent-kafka[avro,schemaregistry]' fastavro`.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient


def main():
    url, command, *args = sys.argv[1:]
    client = SchemaRegistryClient({"url": url})
    if command == "register":
        subject, schema = args
        schema_id = client.register_schema(subject, Schema(schema, "AVRO"))
        latest = client.get_latest_version(subject)
        print(json.dumps({
            "id": schema_id,
            "version": latest.version,
            "latest_id": latest.schema_id,
            "schema": latest.schema.schema_str,
        }))
    elif command == "by-id":
        schema = client.get_schema(int(args[0]))
        print(json.dumps({"schema": schema.schema_str, "type": schema.schema_type}))
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
