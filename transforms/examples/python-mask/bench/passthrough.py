"""Benchmark guest: a Python transform that does nothing. Its cost per record is what a
Python guest pays for being called once per batch (plus the host's bookkeeping)."""

from typing import List, Tuple

from wit_world import exports
from wit_world.imports import types


class Configurable(exports.Configurable):
    def describe(self) -> List[types.Property]:
        return []

    def configure(self, properties: List[Tuple[str, str]]) -> None:
        pass


class TransformRecords(exports.TransformRecords):
    def apply(self, records: types.Batch) -> None:
        pass
