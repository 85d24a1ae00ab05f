"""Metric catalogue, collectors over the snapshot, self-metrics and the cached /metrics render."""
