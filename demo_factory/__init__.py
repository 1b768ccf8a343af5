"""Deterministic demo factory generator (master data + 12 months of history).

`python -m demo_factory --db demo --products 300 --seed 42` builds a database;
`generate(options)` does the same inside an open Tryton transaction, which is
what the tests and benchmarks call.
"""
from .build import Options, generate

__all__ = ['Options', 'generate']
