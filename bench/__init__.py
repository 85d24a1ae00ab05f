"""Benchmarks of the exporter at the reference scale: ``python -m bench [NAME ...] [--quick]``."""
