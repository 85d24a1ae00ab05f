"""The Grafana dashboards as code: a small panel DSL and one module per dashboard.

``python grafana/build_dashboards.py`` writes grafana/dashboards/*.json from here.
"""

from typing import Any

Json = dict[str, Any]
