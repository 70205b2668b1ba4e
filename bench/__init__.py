"""Benchmarks with their own runner (`python -m bench [name ...]`); never timed assertions inside tests."""
