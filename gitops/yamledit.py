"""Change one scalar in a YAML file people edit, and nothing else: comments, order, quoting, spacing survive.

    text = set_scalar(text, ("version",), "3.3.19", source="clusters/staging/cluster.yaml")

The YAML parser (PyYAML's composer, C-accelerated) finds where the value stands; the new value is spliced
into the original text at exactly that place, in the same quoting style, so every other byte of the file
(comments, order, quoting, spacing) is untouched: stricter than a round-trip dump, and fast enough for a
fleet of hundreds of files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from gitops.errors import ConfigError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _locate(text: str, path: Sequence[str], source: str) -> tuple[int, int]:
    try:
        node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as err:
        raise ConfigError(f"{source}: not valid YAML ({str(err).splitlines()[0]})") from None
    for depth, key in enumerate(path):
        if not isinstance(node, yaml.MappingNode):
            raise ConfigError(f"{source}: {'.'.join(path[:depth]) or '(top level)'}: expected a mapping")
        found = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]
        if not found:
            raise ConfigError(f"{source}: {'.'.join(path)}: not found")
        node = found[-1]
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(f"{source}: {'.'.join(path)}: expected a scalar")
    return node.start_mark.line, node.start_mark.column


def _token_end(line: str, col: int) -> int:
    quote = line[col] if col < len(line) else ""
    if quote in {'"', "'"}:
        end = line.index(quote, col + 1)
        return end + 1
    match = re.compile(r"[^\s#]+").match(line, col)
    return match.end() if match else col


def set_scalar(text: str, path: Sequence[str], value: str, *, source: str) -> str:
    """``text`` with the scalar at ``path`` replaced by ``value`` (same quote style); everything else as it was."""
    line_no, col = _locate(text, path, source)
    lines = text.splitlines(keepends=True)
    line = lines[line_no]
    end = _token_end(line, col)
    quote = line[col] if line[col] in {'"', "'"} else ""
    if not quote and not _PLAIN_SAFE.match(value):
        quote = '"'
    lines[line_no] = f"{line[:col]}{quote}{value}{quote}{line[end:]}"
    return "".join(lines)
