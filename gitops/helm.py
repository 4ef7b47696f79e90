"""The helm wrapper: template and lint the chart with a pinned helm.

    helm = Helm(tool_path(repo, "helm4"))
    text = helm.template(chart_dir, release="trigger-dev", namespace="trigger", kube_version="1.33", values={...})
    helm.lint(chart_dir, kube_version="v1.33.0").stdout

Values go to helm on standard input as JSON (a YAML subset), so nothing is written to disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops import command


@dataclass(frozen=True)
class Helm:
    binary: Path

    def template(
        self,
        chart: Path,
        *,
        release: str,
        namespace: str,
        kube_version: str,
        values: dict[str, Any],
        what: str | None = None,
    ) -> str:
        argv = [
            self.binary,
            "template",
            release,
            chart,
            "--namespace",
            namespace,
            "--kube-version",
            kube_version,
            "--skip-tests",
            "--values",
            "-",
        ]
        return command.run(argv, input_text=json.dumps(values), what=what or f"helm template {chart.name}").stdout

    def lint(self, chart: Path, *, kube_version: str) -> command.Result:
        """``helm lint --strict``; exit 1 means findings, which its output lists (the caller reads them)."""
        argv: list[Any] = [self.binary, "lint", "--strict", "--kube-version", kube_version, chart]
        return command.run(argv, ok_codes=(0, 1), what=f"{self.binary.name} lint")
