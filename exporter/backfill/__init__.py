"""``mist-wan-exporter backfill``: SLE history as OpenMetrics for ``promtool tsdb
create-blocks-from openmetrics`` (docs/backfill.md)."""
