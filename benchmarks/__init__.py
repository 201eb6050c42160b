"""Benchmarks for analytix_frontend (run `python -m benchmarks.run`); never part of the tests."""
