"""`invoke e2e.build` / `invoke e2e.up`: the end-to-end harness's binaries and a local cluster to poke at.

The test itself is `nox -s e2e` (pytest tests/e2e); these tasks are for people debugging it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from gitops.cli import say, task
from gitops.e2e import build
from gitops.e2e.local import LocalBackend
from gitops.paths import Repo


@task(name="build")
def build_(c):
    """Build (or find cached) the pinned e2e binaries: etcd, Kubernetes, kwok, Flux controllers."""
    bins = build.ensure_all(Repo.find(), log=say)
    for name, version in bins.versions.items():
        say(f"  {name:<21} {version:<9} {build.cache_root() / f'{name}-{version}'}")
    how = f"built {', '.join(bins.built)} in {bins.build_seconds:.0f}s" if bins.built else "all cached"
    say(f"e2e.build: {len(bins.versions)} components ({how})")


@task
def up(c):
    """Start the local backend (API server, kwok node, Flux) and keep it until Ctrl-C; prints its kubeconfig."""
    bins = build.ensure_all(Repo.find(), log=say)
    workdir = Path(tempfile.mkdtemp(prefix="trigger-e2e-up-"))
    try:
        with LocalBackend(bins, workdir) as cluster:
            say(f"e2e.up: ready in {cluster.start_seconds:.1f}s; export KUBECONFIG={cluster.kubeconfig}")
            say(f"e2e.up: logs in {workdir / 'logs'}; Ctrl-C stops everything and removes {workdir}")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                say("e2e.up: stopping")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
