"""Benchmark guest: masks the string field `fields` with one `get-field` and one
`set-field` call per record, to compare per-record accessors with the column calls of
../app.py from Python."""

from typing import List, Tuple

from wit_world import exports
from wit_world.imports import types
from wit_world.imports.types import Part, Property, PropertyType

FIELD = ""
EMPTY = types.Scalar_String("")


class Configurable(exports.Configurable):
    def describe(self) -> List[Property]:
        return [Property("fields", PropertyType.STRING, None, "The field to mask.")]

    def configure(self, properties: List[Tuple[str, str]]) -> None:
        global FIELD
        FIELD = dict(properties).get("fields", "")


class TransformRecords(exports.TransformRecords):
    def apply(self, records: types.Batch) -> None:
        for i in range(records.len()):
            if isinstance(records.get_field(i, Part.VALUE, FIELD), types.Scalar_String):
                records.set_field(i, Part.VALUE, FIELD, EMPTY)
