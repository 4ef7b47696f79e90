"""The chart documents itself: every value is commented in values.yaml and listed in the README's table."""

from __future__ import annotations

import json
import re

import yaml

from tests.chart.values_table import CHART, _rows, with_table


def test_readme_values_table_is_current() -> None:
    readme = (CHART / "README.md").read_text()
    assert readme == with_table(readme), "run: python -m tests.chart.values_table --write"


def test_every_value_has_a_comment_in_values_yaml() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    text = (CHART / "values.yaml").read_text()
    leaves = {row[0].strip("`") for row in _rows(schema, yaml.safe_load(text), "")}
    lines, stack, commented = text.splitlines(), [], set()
    for number, line in enumerate(lines):
        match = re.match(r"^( *)([A-Za-z][A-Za-z0-9]*):", line)
        if not match:
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match.group(2)))
        if number and lines[number - 1].strip().startswith("#"):
            commented.add(".".join(name for _, name in stack))
    assert sorted(leaves - commented) == []
