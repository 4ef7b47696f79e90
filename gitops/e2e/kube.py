"""kubectl against the e2e cluster, returning parsed objects.

    k = Kubectl(bins.path("kubectl"), kubeconfig)
    k.apply_text(manifest)
    deploys = k.get("deployments", namespace="trigger")["items"]

Every call goes through :func:`gitops.command.run`; Secret values are never logged or put in errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops.command import Result, run


@dataclass(frozen=True)
class Kubectl:
    binary: Path
    kubeconfig: Path

    def run(self, *args: str, input_text: str | None = None, ok_codes: tuple[int, ...] = (0,)) -> Result:
        argv = [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args]
        return run(argv, input_text=input_text, ok_codes=ok_codes, timeout=120, what=f"kubectl {args[0]}")

    def apply_text(self, manifest: str, *extra: str) -> str:
        return self.run("apply", "--server-side", "--force-conflicts", *extra, "-f", "-", input_text=manifest).stdout

    def apply_files(self, *paths: Path) -> str:
        args = [a for p in paths for a in ("-f", str(p))]
        return self.run("apply", "--server-side", "--force-conflicts", *args).stdout

    def get(self, kind: str, name: str = "", *, namespace: str | None = None) -> dict[str, Any]:
        args = ["get", kind, *([name] if name else []), "-o", "json"]
        args += ["-n", namespace] if namespace else []
        return json.loads(self.run(*args).stdout)

    def get_optional(self, kind: str, name: str, *, namespace: str | None = None) -> dict[str, Any] | None:
        args = ["get", kind, name, "-o", "json", "--ignore-not-found"]
        args += ["-n", namespace] if namespace else []
        out = self.run(*args).stdout.strip()
        return json.loads(out) if out else None

    def can_i(self, verb: str, resource: str, *, as_user: str, namespace: str) -> bool:
        """``kubectl auth can-i`` (exit 0 yes, 1 no); ``pods/log`` asks about the subresource, not a pod named log."""
        kind, _, sub = resource.partition("/")
        extra = ["--subresource", sub] if sub else []
        result = self.run("auth", "can-i", verb, kind, *extra, "--as", as_user, "-n", namespace, ok_codes=(0, 1))
        return result.returncode == 0

    def text(self, *args: str) -> str:
        """Human-readable output for failure dumps (never used on Secrets' data)."""
        return self.run(*args, ok_codes=(0, 1)).stdout
