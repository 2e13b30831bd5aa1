"""Benchmark guest for the rejected "copy every record" design (wit/bench/naive.wit), in
Python: every record comes in as Python objects and goes back out unchanged."""

from typing import List

from wit_world import exports
from wit_world.exports import naive


class Naive(exports.Naive):
    def apply(self, records: List[naive.Record]) -> List[naive.Record]:
        return records
