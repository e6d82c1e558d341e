"""Benchmarks of the budgets in design.md ("Quality bars"); run with `make bench`.

Each `bench/b_*.py` module has `run(ctx) -> list[Result]`; results print as a table and
are written to bench/out/results.json.
"""
