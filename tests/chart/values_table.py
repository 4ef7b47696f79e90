"""The chart README's configuration table, made from values.schema.json (descriptions) and values.yaml (defaults).

    python -m tests.chart.values_table          # print the table
    python -m tests.chart.values_table --write  # replace it in apps/trigger-dev/README.md

test_chart_readme.py fails when the README's table is not the one this prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parents[2] / "apps" / "trigger-dev"
BEGIN, END = "<!-- values-table:begin -->", "<!-- values-table:end -->"
OPAQUE = {
    "env",
    "resources",
    "startupProbe",
    "livenessProbe",
    "readinessProbe",
    "podSecurityContext",
    "securityContext",
}


def _rows(schema: dict[str, Any], values: Any, path: str) -> list[tuple[str, str, str]]:
    props = schema.get("properties")
    name = path.rsplit(".", 1)[-1]
    if props and isinstance(values, dict) and name not in OPAQUE:
        rows: list[tuple[str, str, str]] = []
        for key, sub in props.items():
            if key == "global":
                continue
            rows += _rows(sub, values.get(key), f"{path}.{key}" if path else key)
        return rows
    default = f"`{json.dumps(values, separators=(', ', ': '))}`"
    if len(default) > 60:
        default = "see values.yaml"
    return [(f"`{path}`", default.replace("|", "\\|"), schema.get("description", "").replace("|", "\\|"))]


def table() -> str:
    schema = json.loads((CHART / "values.schema.json").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    lines = ["| Value | Default | Description |", "| --- | --- | --- |"]
    lines += [f"| {p} | {d} | {t} |" for p, d, t in _rows(schema, values, "")]
    return "\n".join(lines)


def with_table(readme: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    if "--write" in sys.argv:
        path = CHART / "README.md"
        path.write_text(with_table(path.read_text()))
    else:
        print(table())
