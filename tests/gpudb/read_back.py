#!/usr/bin/env python3
"""Reads a table a Sluice pipeline wrote into the Kinetica emulator with Kinetica's
official Python client (`gpudb`) and checks it row by row.

Usage: python3 read_back.py <head-url> <table> <expected.json>

expected.json: {"columns": {"name": "type", ...}, "key": "id", "rows": [{...}, ...]}
               and optionally "nullable": ["name", ...], every nullable column
Every check is exact; any failure exits non-zero with the difference.
The Rust test `tests/gpudb.rs` runs the pipeline and this script.
"""

import json
import sys

import gpudb


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def main(url, table_name, expected_path):
    with open(expected_path) as f:
        expected = json.load(f)
    db = gpudb.GPUdb(host=url)
    check(db.has_table(table_name)["table_exists"], f"{table_name} does not exist")
    table = gpudb.GPUdbTable(name=table_name, db=db)

    types = {c.name: c.column_type for c in table.get_table_type().columns}
    check(types == expected["columns"], f"column types differ:\n got {types}\n want {expected['columns']}")
    if "nullable" in expected:
        nullable = sorted(c.name for c in table.get_table_type().columns if c.is_nullable)
        check(nullable == sorted(expected["nullable"]),
              f"nullable columns differ:\n got {nullable}\n want {expected['nullable']}")

    key = expected["key"]
    got = sorted((dict(r) for r in table.get_records(offset=0, limit=gpudb.GPUdb.END_OF_SET)),
                 key=lambda r: r[key])
    want = sorted(expected["rows"], key=lambda r: r[key])
    check(len(got) == len(want), f"{len(got)} rows, want {len(want)}")
    for g, w in zip(got, want):
        check(g == w, f"row differs:\n got {g}\n want {w}")

    # The low-level path decodes with the type looked up by id on a fresh connection.
    decoded = gpudb.GPUdb(host=url).get_records_and_decode(table_name, offset=0, limit=len(want) + 10)
    check(decoded.is_ok(), f"get_records_and_decode failed: {decoded['status_info']}")
    again = sorted((dict(r) for r in decoded["records"]), key=lambda r: r[key])
    check(again == want, "decoded records differ")
    print(f"gpudb read back {len(got)} rows of {table_name}: all checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:4])
