"""Benchmark guest: one half of ../app.py's mask at a time, to see where a Python mask's
time goes. `step=types` only calls `column-types` (and drops the answer); `step=set`
only calls `set-column` with a list of "" values built on the first call; `step=get`
only calls `get-column` (what a mask would pay to read the old values it throws away)."""

from typing import List, Tuple

from wit_world import exports
from wit_world.imports import types
from wit_world.imports.types import Part, Property, PropertyType

FIELD = ""
STEP = ""
VALUES: List[types.Scalar] = []


class Configurable(exports.Configurable):
    def describe(self) -> List[Property]:
        return [
            Property("fields", PropertyType.STRING, None, "The field."),
            Property("step", PropertyType.STRING, None, "`types`, `set` or `get`."),
        ]

    def configure(self, properties: List[Tuple[str, str]]) -> None:
        global FIELD, STEP
        config = dict(properties)
        FIELD, STEP = config["fields"], config["step"]


class TransformRecords(exports.TransformRecords):
    def apply(self, records: types.Batch) -> None:
        global VALUES
        if STEP == "types":
            records.column_types(Part.VALUE, FIELD)
        elif STEP == "get":
            records.get_column(Part.VALUE, FIELD)
        else:
            n = records.len()
            if len(VALUES) != n:
                VALUES = [types.Scalar_String("")] * n
            records.set_column(Part.VALUE, FIELD, VALUES)
