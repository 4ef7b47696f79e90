"""The one way this package runs an outside program.

    result = run(["helm", "version", "--short"])
    print(result.stdout)
    run(["sops", "--decrypt", path], env={"SOPS_AGE_KEY_FILE": key}, input_text=None)

Nothing else in the package calls :mod:`subprocess`. A failure raises
:class:`~gitops.errors.ToolError` carrying the program's last stderr line, never
its input (which may hold a secret).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gitops.errors import ToolError

# Quiet, offline defaults for every tool we run.
BASE_ENV = {
    "SOPS_DISABLE_VERSION_CHECK": "true",
    "HELM_NO_PLUGINS": "1",
    "LC_ALL": "C.UTF-8",
}


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    ok_codes: Sequence[int] = (0,),
    timeout: float | None = 600,
    what: str | None = None,
) -> Result:
    """Run ``argv`` and return its output; raise ToolError on a disallowed exit code.

    ``what`` names the action in the error message ("helm template of cluster staging").
    """
    args = tuple(str(a) for a in argv)
    full_env = {**os.environ, **BASE_ENV, **(env or {})}
    label = what or Path(args[0]).name
    try:
        proc = subprocess.run(
            args,
            cwd=cwd,
            env=full_env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ToolError(
            f"{label}: program {args[0]!r} not found; run `invoke tools.install` (then `invoke doctor`)"
        ) from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"{label}: {Path(args[0]).name} did not finish within {timeout:.0f}s") from None
    if proc.returncode not in ok_codes:
        raise ToolError(f"{label} failed (exit {proc.returncode}): {last_line(proc.stderr or proc.stdout)}")
    return Result(args, proc.returncode, proc.stdout, proc.stderr)


def last_line(text: str) -> str:
    """The part of a tool's output that says what went wrong, on one line.

    Its last `Error:` line, else its last line; an error line that ends with a colon introduces details
    (helm's schema errors list them below), so those follow it, joined with `; `.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "(no output)"
    starts = [i for i, line in enumerate(lines) if line.lower().startswith("error:")]
    if not starts:
        return lines[-1]
    first = starts[-1]
    message = lines[first].split(":", 1)[1].strip()
    if message.endswith(":"):
        details = [line.lstrip("- ") for line in lines[first + 1 :] if not line.endswith(":")]
        message = f"{message} {'; '.join(details)}" if details else message
    return message if len(message) <= 600 else message[:597] + "..."
