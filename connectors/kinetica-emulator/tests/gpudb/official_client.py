#!/usr/bin/env python3
"""Drives the Kinetica emulator with Kinetica's official Python client (`gpudb`).

Usage: python3 official_client.py <head-url> [--sluice-table T] [--multihead]

  --sluice-table T  also read back table T, which Sluice's Rust client wrote
  --multihead       only check multi-head ingest (the emulator must run worker
                    ranks that reject rows they do not own)

Every step asserts exact results; any failure exits non-zero with a traceback.
The Rust test `tests/gpudb_client.rs` starts the emulator and runs this script.
"""

import argparse
import json

import gpudb
TABLE = "ki_home.gpudb_people"

COLUMNS = [
    ["id", "int", "primary_key"],
    ["name", "string", "char16"],
    ["score", "double", "nullable"],
    ["ts", "long", "timestamp"],
    ["tag", "string", "nullable"],
]


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def rows_by_id(records):
    return {r["id"]: dict(r) for r in records}


def main(url, sluice_table):
    # Connecting runs the handshake of protocol §5 (status, properties, status).
    db = gpudb.GPUdb(host=url, options=gpudb.GPUdb.Options())
    check(db.server_version is not None, "server version not read")

    # A clean slate, tolerant of a previous run.
    resp = db.clear_table(TABLE, options={"no_error_if_not_exists": "true"})
    check(resp.is_ok(), f"clear_table failed: {resp['status_info']}")

    check(not db.has_table(TABLE)["table_exists"], "table should not exist yet")

    table = gpudb.GPUdbTable(COLUMNS, name=TABLE, db=db)
    check(db.has_table(TABLE)["table_exists"], "table should exist after GPUdbTable()")

    # Insert: list rows and dict rows, nulls included.
    table.insert_records([
        [1, "ann", 1.5, 1700000000000, "a"],
        [2, "bob", None, 1700000001000, None],
    ])
    table.insert_records({"id": 3, "name": "cy", "score": -2.25, "ts": 0, "tag": "c"})
    check(table.size() == 3, f"size after insert: {table.size()}")

    # Insert without upsert: an existing key is rejected (ignore_existing_pk
    # makes it a silent no-op), so the stored row keeps its values.
    table.insert_records(
        [[1, "ann-dup", 9.0, 1, "dup"]],
        options={"update_on_existing_pk": "false", "ignore_existing_pk": "true"},
    )
    got = rows_by_id(table.get_records())
    check(got[1]["name"] == "ann", f"row 1 changed without upsert: {got[1]}")

    # Upsert: key 2 is replaced, key 4 is new.
    table.insert_records(
        [[2, "bobby", 7.0, 1700000002000, "b"], [4, "dee", None, 1700000003000, None]],
        options={"update_on_existing_pk": "true"},
    )

    # Read back (binary encoding, the default) and compare exactly.
    records = table.get_records(offset=0, limit=gpudb.GPUdb.END_OF_SET)
    got = rows_by_id(records)
    expected = {
        1: {"id": 1, "name": "ann", "score": 1.5, "ts": 1700000000000, "tag": "a"},
        2: {"id": 2, "name": "bobby", "score": 7.0, "ts": 1700000002000, "tag": "b"},
        3: {"id": 3, "name": "cy", "score": -2.25, "ts": 0, "tag": "c"},
        4: {"id": 4, "name": "dee", "score": None, "ts": 1700000003000, "tag": None},
    }
    check(got == expected, f"records differ:\n got {got}\n want {expected}")

    # JSON encoding, with offset/limit paging.
    resp = db.get_records(TABLE, offset=1, limit=2, encoding="json")
    check(resp.is_ok(), f"get_records json failed: {resp['status_info']}")
    check(resp["total_number_of_records"] == 4, f"total: {resp['total_number_of_records']}")
    check(resp["has_more_records"], "has_more_records should be true")
    page = [json.loads(r) for r in resp["records_json"]]
    check(page == [expected[2], expected[3]], f"JSON page differs: {page}")

    # The low-level decoder looks the type up by id (/show/types) on a fresh
    # connection.
    db2 = gpudb.GPUdb(host=url)
    decoded = db2.get_records_and_decode(TABLE, offset=0, limit=10)
    check(decoded.is_ok(), f"get_records_and_decode failed: {decoded['status_info']}")
    check(rows_by_id(decoded["records"]) == expected, "decoded records differ")

    # show table
    resp = db.show_table(TABLE, options={"get_sizes": "true"})
    check(resp.is_ok(), f"show_table failed: {resp['status_info']}")
    check(resp["table_names"] == [TABLE], f"table_names: {resp['table_names']}")
    check(resp["full_sizes"] == [4], f"full_sizes: {resp['full_sizes']}")
    props = resp["properties"][0]
    check("primary_key" in props["id"], f"id properties: {props['id']}")
    check("char16" in props["name"], f"name properties: {props['name']}")

    # Reopening the existing table compares types; it must agree.
    again = gpudb.GPUdbTable(COLUMNS, name=TABLE, db=db)
    check(again.size() == 4, "reopened table size")

    # Errors come back as typed failures.
    missing = db.show_table("ki_home.does_not_exist")
    check(not missing.is_ok(), "show_table of a missing table must fail")
    check("does not exist" in missing["status_info"]["message"], missing["status_info"]["message"])

    # Add a column: the client swaps its cached type.
    table.alter_table(action="add_column", value="extra",
                      options={"column_type": "int", "column_properties": "nullable"})
    rows = table.get_records()
    check(all(r["extra"] is None for r in rows), "new column should be null")

    # Schema evolution's alters, through the client's own GPUdbTable.alter_table: the
    # client encodes later inserts with the type the alter answer carried, so rows
    # that read back right prove that answer is what gpudb expects.
    type_before = db.show_table(TABLE)["type_ids"][0]
    table.alter_table(action="add_column", value="level",
                      options={"column_type": "int", "column_properties": "int8,nullable",
                               "column_default_value": "3"})
    table.alter_table(action="change_column", value="name",
                      options={"column_type": "string", "column_properties": "char16,nullable"})
    shown = db.show_table(TABLE)
    check(shown["type_ids"][0] != type_before, "an alter must give the table a new type id")
    props = shown["properties"][0]
    check(sorted(props["name"]) == ["char16", "nullable"], f"name properties: {props['name']}")
    check(sorted(props["level"]) == ["int8", "nullable"], f"level properties: {props['level']}")
    table.insert_records([[5, None, 0.5, 1700000004000, None, 7, -1]])
    got = rows_by_id(table.get_records(offset=0, limit=gpudb.GPUdb.END_OF_SET))
    check(got[5] == {"id": 5, "name": None, "score": 0.5, "ts": 1700000004000, "tag": None,
                     "extra": 7, "level": -1}, f"row inserted after the alters: {got[5]}")
    check(all(got[i]["level"] == 3 for i in (1, 2, 3, 4)), f"default not applied: {got}")
    # A fresh connection decodes with the type /show/table reports now.
    fresh = gpudb.GPUdbTable(name=TABLE, db=gpudb.GPUdb(host=url))
    check(rows_by_id(fresh.get_records()) == got, "a fresh client reads other rows")
    refused = db.alter_table(TABLE, action="change_column", value="id",
                             options={"column_type": "long", "column_properties": "primary_key"})
    check(not refused.is_ok(), "changing a primary key column must be refused")
    check("Cannot change primary key" in refused["status_info"]["message"],
          refused["status_info"]["message"])
    refused = db.alter_table(TABLE, action="add_column", value="must",
                             options={"column_type": "int"})
    check(not refused.is_ok(), "a required column without a default on a non-empty table")
    check("without a default value" in refused["status_info"]["message"],
          refused["status_info"]["message"])

    table.clear()
    check(not db.has_table(TABLE)["table_exists"], "table should be gone")

    if sluice_table:
        check_sluice_table(db, sluice_table)
    print("gpudb official client: all checks passed")


def check_sluice_table(db, name):
    """Reads what Sluice's Rust client wrote (rows fixed in gpudb_client.rs)."""
    table = gpudb.GPUdbTable(name=name, db=db)
    got = sorted((dict(r) for r in table.get_records()), key=lambda r: r["k"])
    expected = [
        {"k": 1, "s": "one", "d": 0.5, "b": None},
        {"k": 2, "s": "two", "d": None, "b": 7},
        {"k": 3, "s": "three", "d": -1.25, "b": -1},
    ]
    check(got == expected, f"Sluice-written rows differ:\n got {got}\n want {expected}")
    types = {c.name: c.column_type for c in table.get_table_type().columns}
    check(types == {"k": "long", "s": "string", "d": "double", "b": "int"}, f"types: {types}")


def multihead(url):
    """The official client's own multi-head ingestor routes rows to worker
    ranks; the emulator's workers reject any row they do not own, so this
    cross-checks its shard hashing against the client's."""
    db = gpudb.GPUdb(host=url)
    name = "ki_home.gpudb_multihead"
    db.clear_table(name, options={"no_error_if_not_exists": "true"})
    columns = [
        ["id", "long", "primary_key"],
        ["code", "string", "char8", "shard_key", "primary_key"],
        ["day", "string", "date", "shard_key", "primary_key"],
        ["v", "double", "nullable"],
    ]
    table = gpudb.GPUdbTable(columns, name=name, db=db, use_multihead_io=True,
                             multihead_ingest_batch_size=50)
    rows = [[i, f"c{i % 37}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", i * 0.25 if i % 3 else None]
            for i in range(500)]
    table.insert_records(rows)
    table.flush_data_to_server()
    check(table.size() == 500, f"multi-head size: {table.size()}")
    got = sorted(([r["id"], r["code"], r["day"], r["v"]] for r in table.get_records(limit=1000)),
                 key=lambda r: r[0])
    check(got == rows, "multi-head rows differ")
    table.clear()
    print("gpudb official client (multi-head): all checks passed")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--sluice-table")
    parser.add_argument("--multihead", action="store_true")
    args = parser.parse_args()
    if args.multihead:
        multihead(args.url)
    else:
        main(args.url, args.sluice_table)
