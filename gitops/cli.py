"""The bridge between invoke and the package: every task is declared with :func:`task`.

    @task(help={"cluster": "only this cluster"})
    def render(c, cluster=None):
        ...

A :class:`~gitops.errors.GitopsError` raised inside a task becomes one line on stderr
(``error: <what, where, how to fix>``) and exit status 1; no traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import invoke

from gitops.errors import GitopsError


def task(*args: Any, **kwargs: Any) -> Any:
    """``invoke.task`` whose body's GitopsError turns into one line and exit 1."""

    def decorate(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except GitopsError as err:
                raise invoke.Exit(f"error: {err}", code=1) from None

        return invoke.task(**kwargs)(wrapper)

    if args and callable(args[0]) and not kwargs:
        return decorate(args[0])
    return decorate


def require(value: object, flag: str, example: str) -> None:
    """Refuse a missing required option with one line showing how to pass it."""
    if value is None or value == "":
        raise GitopsError(f"{flag} is required, e.g. `{example}`")


def say(line: str = "") -> None:
    """Print one line of normal output (stdout)."""
    print(line, flush=True)


def warn(line: str) -> None:
    """Print one warning line (stderr)."""
    print(f"warning: {line}", file=sys.stderr, flush=True)
