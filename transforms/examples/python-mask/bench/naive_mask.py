"""Benchmark guest for the rejected "copy every record" design (wit/bench/naive.wit), in
Python: masks the string field `ssn` of every record, which comes in and goes back out
whole (as transforms/testing/naive-mask does in Rust)."""

from typing import List

from wit_world import exports
from wit_world.exports import naive

EMPTY = naive.Node_String("")


class Naive(exports.Naive):
    def apply(self, records: List[naive.Record]) -> List[naive.Record]:
        for r in records:
            try:
                i = r.field_names.index("ssn")
            except ValueError:
                continue
            root = r.value[0]
            if isinstance(root, naive.Node_Struct):
                child = root.value[i]
                if isinstance(r.value[child], naive.Node_String):
                    r.value[child] = EMPTY
        return records
