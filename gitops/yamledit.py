"""Change one scalar in a YAML file people edit, and nothing else: comments, order, quoting, spacing survive.

    text = set_scalar(text, ("version",), "3.3.19", source="clusters/staging/cluster.yaml")

ruamel.yaml (round-trip mode) finds where the value stands; the new value is spliced into the original
text at exactly that place, in the same quoting style, so the file's other bytes are untouched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import StringIO

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from gitops.errors import ConfigError

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _locate(text: str, path: Sequence[str], source: str) -> tuple[int, int]:
    yaml = YAML(typ="rt")
    try:
        node = yaml.load(StringIO(text))
    except Exception as err:  # noqa: BLE001 - ruamel raises many types; all mean "not YAML"
        raise ConfigError(f"{source}: not valid YAML ({str(err).splitlines()[0]})") from None
    for key in path[:-1]:
        if not isinstance(node, CommentedMap) or key not in node:
            raise ConfigError(f"{source}: {'.'.join(path)}: not found")
        node = node[key]
    last = path[-1]
    if not isinstance(node, CommentedMap) or last not in node:
        raise ConfigError(f"{source}: {'.'.join(path)}: not found")
    if isinstance(node[last], (dict, list)):
        raise ConfigError(f"{source}: {'.'.join(path)}: expected a scalar")
    line, col = node.lc.value(last)
    return line, col


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
