"""Writes the provisioned Grafana dashboards of grafana/dashboards/ from grafana/dashboards_src/.

Run ``python grafana/build_dashboards.py`` after changing a definition; ``--check`` exits 1 when
a committed JSON file differs from what the code generates (the stack tests run it).
"""

import sys
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # the exporter's thresholds

from dashboards_src.main import main

if __name__ == "__main__":
    sys.exit(main())
