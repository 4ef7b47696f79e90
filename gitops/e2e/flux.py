"""Flux objects the harness creates or waits on (GitRepository + Kustomization in flux-system).

    kubectl.apply_text(sync_manifest("smoke", url, path="./deploy"))
    wait_applied(kubectl, "smoke", sha)          # Ready=True at exactly that commit, or a one-line cause

A Kustomization that fails at the pushed commit (bad SOPS key, invalid manifest, admission denied)
fails the wait at once with Flux's own message rather than at the deadline.
"""

from __future__ import annotations

import time
from typing import Any

from gitops.e2e.kube import Kubectl
from gitops.e2e.wait import E2EError, NotYet, until

NAMESPACE = "flux-system"
# Reasons that mean "still working on it"; any other Ready=False reason at the pushed commit is a failure.
TRANSIENT = {"Progressing", "ProgressingWithRetry", "DependencyNotReady", "ArtifactFailed", "Unknown", ""}


def sync_manifest(name: str, url: str, *, path: str, branch: str = "main", decryption_secret: str = "") -> str:
    decryption = (
        f"  decryption:\n    provider: sops\n    secretRef:\n      name: {decryption_secret}\n"
        if decryption_secret
        else ""
    )
    return (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
        f"metadata:\n  name: {name}\n  namespace: {NAMESPACE}\n"
        f"spec:\n  interval: 1m\n  url: {url}\n  ref:\n    branch: {branch}\n"
        "---\n"
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        f"metadata:\n  name: {name}\n  namespace: {NAMESPACE}\n"
        f"spec:\n  interval: 1m\n  path: {path}\n  prune: true\n"
        f"  sourceRef:\n    kind: GitRepository\n    name: {name}\n{decryption}"
    )


def ready(obj: dict[str, Any]) -> dict[str, Any]:
    for condition in obj.get("status", {}).get("conditions", []):
        if condition.get("type") == "Ready":
            return condition
    return {}


def one_line(message: str, limit: int = 600) -> str:
    """Flux's multi-line messages (sops lists every recipient it tried) as one line, each cause once."""
    seen: list[str] = []
    for raw in message.splitlines():
        line = raw.strip().lstrip("-| ").strip()
        if line and line not in seen:
            seen.append(line)
    text = " ".join(seen)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reconcile_now(kubectl: Kubectl, name: str, kind: str = "gitrepository") -> None:
    """Ask Flux to reconcile now (the annotation `flux reconcile` sets), instead of waiting an interval."""
    kubectl.run(
        "annotate", "--overwrite", "-n", NAMESPACE, kind, name, f"reconcile.fluxcd.io/requestedAt={time.time_ns()}"
    )


def wait_applied(kubectl: Kubectl, name: str, sha: str, *, timeout: float = 180) -> dict[str, Any]:
    """Wait until Kustomization ``name`` has applied commit ``sha``; raise E2EError with Flux's reason if it fails."""

    def probe() -> dict[str, Any] | None:
        source = kubectl.get_optional("gitrepository", name, namespace=NAMESPACE) or {}
        source_ready = ready(source)
        if not source.get("status", {}).get("artifact", {}).get("revision", "").endswith(sha):
            raise NotYet(
                f"GitRepository {name}: {source_ready.get('reason', 'pending')}: {source_ready.get('message', '')}"
            )
        ks = kubectl.get_optional("kustomization", name, namespace=NAMESPACE) or {}
        status, condition = ks.get("status", {}), ready(ks)
        if status.get("lastAppliedRevision", "").endswith(sha) and condition.get("status") == "True":
            return ks
        at_commit = status.get("lastAttemptedRevision", "").endswith(sha)
        if at_commit and condition.get("status") == "False" and condition.get("reason") not in TRANSIENT:
            raise E2EError(
                f"Flux Kustomization {NAMESPACE}/{name} failed at {sha[:12]}: "
                f"{condition.get('reason')}: {one_line(condition.get('message', ''))}"
            )
        raise NotYet(f"Kustomization {name}: {condition.get('reason', 'pending')}: {condition.get('message', '')}")

    return until(probe, what=f"Flux applying commit {sha[:12]} ({NAMESPACE}/{name})", timeout=timeout)
