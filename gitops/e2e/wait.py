"""Readiness loops with a deadline: poll a probe until it says done, never a fixed sleep.

    until(lambda: api_ready(url), what="kube-apiserver /readyz", timeout=60)
    status = until(lambda: deployment_available(kubectl, ns, name), what=f"deployment {name} Available")

A probe returns a truthy value when done (returned to the caller), or falsy / raises
:class:`NotYet` with the latest status, which goes into the timeout error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from gitops.errors import GitopsError

T = TypeVar("T")


class NotYet(Exception):  # noqa: N818 - reads as `raise NotYet("2/3 replicas")`
    """Raised by a probe: not done yet, here is why."""


class E2EError(GitopsError):
    """The end-to-end scenario found the system not doing what it should."""


def until(
    probe: Callable[[], T | None],
    *,
    what: str,
    timeout: float = 120.0,
    interval: float = 0.25,
    check: Callable[[], None] | None = None,
) -> T:
    """Call ``probe`` until truthy; raise E2EError naming ``what`` and the last status at the deadline.

    ``check`` runs each round (e.g. "is the server process still alive") and may raise to stop early.
    """
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    pause = threading.Event()
    while True:
        if check is not None:
            check()
        try:
            result = probe()
            if result:
                return result
            last = "not yet"
        except NotYet as why:
            last = str(why)
        if time.monotonic() >= deadline:
            raise E2EError(f"{what}: not reached within {timeout:.0f}s; last status: {last}")
        pause.wait(interval)
        interval = min(interval * 1.5, 2.0)
