"""What the e2e prints when a step fails: events, object status, controller logs (never Secret data).

report = failure_report(kubectl, ["trigger", "flux-system"], backend.logs())
print(report)   # sections headed "=== events trigger", "=== log kustomize-controller (last 40 lines)"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from gitops.e2e.kube import Kubectl
from gitops.errors import GitopsError

QUIET_LOGS = {"kwok": 8, "etcd": 8, "kube-scheduler": 8}  # chatty and rarely the cause
STATUS_KINDS = "deployments,jobs,pods,replicasets,gitrepositories,kustomizations"


def section(title: str, body: str) -> str:
    return f"=== {title}\n{body.rstrip() or '(nothing)'}\n"


def tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as err:
        return f"(cannot read {path}: {err})"


def workload_namespaces(kubectl: Kubectl) -> list[str]:
    """Every namespace but Kubernetes' own (kube-system, kube-public, kube-node-lease)."""
    try:
        names = [ns["metadata"]["name"] for ns in kubectl.get("namespaces")["items"]]
    except GitopsError:
        return ["flux-system", "default"]
    return [name for name in names if not name.startswith("kube-")]


def failure_report(
    kubectl: Kubectl | None, namespaces: Sequence[str] | None, logs: Mapping[str, Path], log_lines: int = 40
) -> str:
    """Events, status and conditions per namespace (default: every workload namespace), then log tails."""
    parts: list[str] = []
    if kubectl is not None:
        for ns in namespaces if namespaces is not None else workload_namespaces(kubectl):
            for title, args in (
                (f"events {ns}", ("get", "events", "-n", ns, "--sort-by=.lastTimestamp")),
                (f"status {ns}", ("get", STATUS_KINDS, "-n", ns, "-o", "wide")),
                (
                    f"conditions {ns}",
                    (
                        "get",
                        STATUS_KINDS,
                        "-n",
                        ns,
                        "-o",
                        "custom-columns=KIND:.kind,NAME:.metadata.name,CONDITIONS:.status.conditions[*].message",
                    ),
                ),  # fmt: skip
            ):
                try:
                    parts.append(section(title, kubectl.text(*args)))
                except GitopsError as err:
                    parts.append(section(title, f"(unavailable: {err})"))
    for name, path in sorted(logs.items()):
        lines = QUIET_LOGS.get(name, log_lines)
        parts.append(section(f"log {name} (last {lines} lines of {path})", tail(path, lines)))
    return "\n".join(parts)
