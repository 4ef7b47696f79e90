"""Round-trip edits: only the scalar changes; comments, order, quoting and spacing survive byte for byte."""

from __future__ import annotations

import pytest

from gitops.errors import ConfigError
from gitops.yamledit import set_scalar

TEXT = """\
# a comment that must survive
name: staging   # trailing comment
version: "3.3.18"           # aligned comment
other: 'single'
nested:
  flow: {cpu: 500m, memory: 1Gi}
  tag: v3.3.18 # plain
"""


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_double_quoted_scalar_keeps_its_quotes_and_comment():
    after = set_scalar(TEXT, ("version",), "3.3.19", source="f")
    assert changed_lines(TEXT, after) == [
        ('version: "3.3.18"           # aligned comment\n', 'version: "3.3.19"           # aligned comment\n')
    ]


def test_plain_nested_scalar_stays_plain():
    after = set_scalar(TEXT, ("nested", "tag"), "v3.3.19", source="f")
    assert changed_lines(TEXT, after) == [("  tag: v3.3.18 # plain\n", "  tag: v3.3.19 # plain\n")]


def test_single_quotes_survive():
    after = set_scalar(TEXT, ("other",), "x", source="f")
    assert "other: 'x'\n" in after


def test_missing_key_is_an_error_naming_it():
    with pytest.raises(ConfigError, match=r"f: nested.missing: not found"):
        set_scalar(TEXT, ("nested", "missing"), "x", source="f")
