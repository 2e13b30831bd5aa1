"""MaskField in Python, as Kafka Connect's `org.apache.kafka.connect.transforms.MaskField`:
replaces the listed fields with the empty value of their type ("" for strings, 0, false,
no bytes). Null fields stay null.

It never reads the old values: per field, one `column-types` call gets the type of the
field in every record of the batch and one `set-column` call writes the masked column
back. Two boundary crossings per field per batch, whatever the batch size.

Build with ./build.sh (componentize-py); see README.md.
"""

from typing import List, Optional, Tuple

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import types
from wit_world.imports.types import (
    Part,
    Property,
    PropertyType,
    SchemaType,
)

PROPERTIES = [
    Property(
        "fields",
        PropertyType.LIST,
        None,
        "Names of the fields to mask (dotted paths reach nested fields).",
    ),
    Property("part", PropertyType.STRING, "value", "Which side of the record to mask: `key` or `value`."),
]

NULL = types.Scalar_Null()

# The value a field of each type is masked with. One instance per type, shared by every
# record: the mask builds no scalar per record.
EMPTY = {
    None: NULL,  # a null (or absent) field stays null
    SchemaType.STRING: types.Scalar_String(""),
    SchemaType.BOOLEAN: types.Scalar_Boolean(False),
    SchemaType.INT8: types.Scalar_Int8(0),
    SchemaType.INT16: types.Scalar_Int16(0),
    SchemaType.INT32: types.Scalar_Int32(0),
    SchemaType.INT64: types.Scalar_Int64(0),
    SchemaType.FLOAT32: types.Scalar_Float32(0.0),
    SchemaType.FLOAT64: types.Scalar_Float64(0.0),
    SchemaType.BYTES: types.Scalar_Bytes(b""),
}
STRING = SchemaType.STRING
EMPTY_STRING = EMPTY[STRING]

# Set by `configure`, which the host calls once before any `apply`.
FIELDS: List[str] = []
PART = Part.VALUE


def invalid(message: str) -> Err:
    return Err(types.Error_InvalidConfig(message))


class Configurable(exports.Configurable):
    def describe(self) -> List[Property]:
        return PROPERTIES

    def configure(self, properties: List[Tuple[str, str]]) -> None:
        global FIELDS, PART
        config = dict(properties)
        known = {p.name for p in PROPERTIES}
        for name in config:
            if name not in known:
                raise invalid(f"unknown property `{name}`; known: {', '.join(sorted(known))}")
        fields = [f.strip() for f in config.get("fields", "").split(",") if f.strip()]
        if not fields:
            raise invalid("`fields` must name at least one field")
        part = config.get("part", "value")
        if part not in ("key", "value"):
            raise invalid("`part` must be `key` or `value`")
        FIELDS = fields
        PART = Part.KEY if part == "key" else Part.VALUE


class TransformRecords(exports.TransformRecords):
    def apply(self, records: types.Batch) -> None:
        for field in FIELDS:
            kinds: List[Optional[SchemaType]] = records.column_types(PART, field)
            # Identity tests first: an Enum's hash is a Python-level call, so a dict
            # lookup per record would cost more than the common cases need.
            masked = [
                EMPTY_STRING if k is STRING else NULL if k is None else empty_of(k, field)
                for k in kinds
            ]
            records.set_column(PART, field, masked)


def empty_of(kind: SchemaType, field: str) -> types.Scalar:
    try:
        return EMPTY[kind]
    except KeyError:
        raise Err(types.Error_Fatal(f"field `{field}` is a {kind.name.lower()}, which cannot be masked"))
