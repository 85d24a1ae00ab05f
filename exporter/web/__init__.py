"""The exporter's HTTP side: /metrics, the status page, /healthz, /readyz, auth and TLS."""
