"""Long-running e2e servers: the one place the harness starts processes that outlive a call.

    with Processes(workdir / "logs") as procs:
        etcd = procs.start("etcd", [bins.path("etcd"), "--data-dir", str(data)])
        etcd.check_alive()                     # raises with the last log lines if it exited

Every process gets its own session (so its children die with it), its stdout+stderr in
``logs/<name>.log``, and is stopped on exit (SIGTERM, then SIGKILL after a grace period), always.
:func:`cgi` runs one CGI request (git-http-backend) for the local git server.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from gitops.command import BASE_ENV
from gitops.errors import ToolError

STOP_GRACE = 10.0


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if not self.alive():
            last = self.tail(3).splitlines()
            raise ToolError(
                f"{self.name} exited with status {self.popen.returncode}: {last[-1] if last else '(no output)'}"
                f"; full log: {self.log}"
            )


@dataclass
class Processes:
    logs: Path
    procs: list[Proc] = field(default_factory=list)

    def __enter__(self) -> Processes:
        self.logs.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop_all()

    def start(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Proc:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            try:
                popen = subprocess.Popen(
                    [str(a) for a in argv],
                    cwd=cwd,
                    env={**os.environ, **BASE_ENV, **(env or {})},
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except FileNotFoundError:
                raise ToolError(f"{name}: program {argv[0]} not found; run the e2e build again") from None
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        if proc.alive():
            signal_group(proc.popen, signal.SIGTERM)
            try:
                proc.popen.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                signal_group(proc.popen, signal.SIGKILL)
                proc.popen.wait(timeout=STOP_GRACE)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        """Stop in reverse start order (controllers before the API server before etcd)."""
        for proc in reversed(list(self.procs)):
            self.stop(proc)


def signal_group(popen: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(popen.pid, sig)
    except ProcessLookupError:
        pass


def cgi(argv: Sequence[str], env: Mapping[str, str], body: bytes, timeout: float = 120) -> bytes:
    """Run one CGI request and return its raw output (headers + body)."""
    proc = subprocess.run(list(argv), input=body, env=dict(env), capture_output=True, timeout=timeout, check=False)
    if proc.returncode != 0 and not proc.stdout:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        return b"Status: 500\r\nContent-Type: text/plain\r\n\r\n" + (message[-1] if message else "cgi failed").encode()
    return proc.stdout
