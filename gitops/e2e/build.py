"""Pinned e2e binaries, built from the wrapper Go modules and cached per version outside the repo.

    bins = ensure_all(Repo.find())     # cold: go build (minutes); warm: a few stat() calls
    bins.path("kube-apiserver")        # ~/.cache/trigger-gitops/e2e/kubernetes-v1.36.3/kube-apiserver
    bins.flux_crds                     # CRD files from the Flux controllers' modules

A component is built into a temporary folder beside its cache folder and renamed into place, so a
killed build never leaves a half-filled cache. The cache folder holds a stamp of the wrapper's
go.mod + go.sum; a changed wrapper (new replace line, new version) is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gitops.command import run
from gitops.e2e.versions import COMPONENTS, FLUX_CONTROLLERS, KWOK, Component
from gitops.errors import ToolError
from gitops.paths import Repo

STAMP = ".wrapper.sha256"
KWOK_STAGES = "kwok-stages.yaml"
# kwok's own "fast" stages, as kwokctl configures them: nodes become Ready and keep a heartbeat,
# pods become Running+Ready at once, pods of Jobs (restartPolicy Never/OnFailure) Succeeded.
KWOK_STAGE_FILES = (
    "kustomize/stage/node/fast/node-initialize.yaml",
    "kustomize/stage/node/heartbeat/node-heartbeat.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
)
GO_ENV = {"GOFLAGS": "-buildvcs=false", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
BUILD_TIMEOUT = 3600.0


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trigger-gitops" / "e2e"


@dataclass
class Binaries:
    """Where every e2e program is, plus how long this run spent building (0 when all were cached)."""

    paths: dict[str, Path] = field(default_factory=dict)
    flux_crds: list[Path] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    build_seconds: float = 0.0
    built: list[str] = field(default_factory=list)

    def path(self, name: str) -> Path:
        return self.paths[name]


def go_program() -> str:
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if not found:
        raise ToolError("go: not found on PATH; install Go 1.26 or newer (the e2e builds its binaries from source)")
    return found


def wrapper_stamp(comp: Component, repo: Repo) -> str:
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum"):
        digest.update((comp.dir(repo) / name).read_bytes())
    return digest.hexdigest()


def component_dir(comp: Component, repo: Repo) -> Path:
    return cache_root() / f"{comp.name}-{comp.version(repo)}"


def is_cached(comp: Component, repo: Repo) -> bool:
    final = component_dir(comp, repo)
    stamp = final / STAMP
    return (
        stamp.is_file()
        and stamp.read_text().strip() == wrapper_stamp(comp, repo)
        and all((final / binary).is_file() for binary in comp.binaries)
    )


def build_component(comp: Component, repo: Repo) -> Path:
    """Build one wrapper module's binaries (and copy Flux CRDs) into its cache folder; return the folder."""
    final = component_dir(comp, repo)
    final.parent.mkdir(parents=True, exist_ok=True)
    go = go_program()
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        for binary, package in comp.binaries.items():
            run(
                [go, "build", "-trimpath", "-ldflags", comp.ldflags(repo), "-o", tmp / binary, package],
                cwd=comp.dir(repo),
                env=GO_ENV,
                timeout=BUILD_TIMEOUT,
                what=f"go build of {binary} ({repo.rel(comp.dir(repo))})",
            )
        if comp in FLUX_CONTROLLERS:
            copy_crds(comp, repo, tmp / "crds")
        if comp is KWOK:
            write_kwok_stages(comp, repo, tmp / KWOK_STAGES)
        (tmp / STAMP).write_text(wrapper_stamp(comp, repo) + "\n")
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def module_dir(comp: Component, repo: Repo) -> Path:
    """The controller module's source in the Go module cache (downloaded if needed)."""
    out = run(
        [go_program(), "mod", "download", "-json", comp.module],
        cwd=comp.dir(repo),
        env=GO_ENV,
        what=f"go mod download {comp.module}",
    )
    info = json.loads(out.stdout)
    if not info.get("Dir"):
        raise ToolError(f"go mod download {comp.module}: no source folder ({info.get('Error', 'unknown error')})")
    return Path(info["Dir"])


def copy_crds(comp: Component, repo: Repo, dest: Path) -> None:
    bases = module_dir(comp, repo) / "config" / "crd" / "bases"
    crds = sorted(bases.glob("*.yaml"))
    if not crds:
        raise ToolError(f"{comp.module}: no CRDs in {bases}; is the pinned version a controller release?")
    dest.mkdir(parents=True)
    for crd in crds:
        shutil.copyfile(crd, dest / crd.name)


def write_kwok_stages(comp: Component, repo: Repo, dest: Path) -> None:
    source = module_dir(comp, repo)
    docs = [(source / name).read_text().strip() for name in KWOK_STAGE_FILES]
    dest.write_text("\n---\n".join(docs) + "\n")


def ensure_all(repo: Repo, *, log: Callable[[str], None] = print) -> Binaries:
    """Every component cached (building the missing ones, cold build timed); return their paths."""
    bins = Binaries()
    started = time.monotonic()
    for comp in COMPONENTS:
        if not is_cached(comp, repo):
            log(f"e2e: building {comp.name} {comp.version(repo)} (cached afterwards in {component_dir(comp, repo)})")
            build_component(comp, repo)
            bins.built.append(comp.name)
        folder = component_dir(comp, repo)
        bins.versions[comp.name] = comp.version(repo)
        for binary in comp.binaries:
            bins.paths[binary] = folder / binary
        if comp in FLUX_CONTROLLERS:
            bins.flux_crds += sorted((folder / "crds").glob("*.yaml"))
        if comp is KWOK:
            bins.paths["kwok-stages"] = folder / KWOK_STAGES
    if bins.built:
        bins.build_seconds = time.monotonic() - started
    return bins
