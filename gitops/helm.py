"""The helm wrapper: template and lint the chart with a pinned helm.

    helm = Helm(tool_path(repo, "helm4"))
    text = helm.template(chart_dir, release="trigger-dev", namespace="trigger", kube_version="1.33", values={...})
    helm.version()   # "v4.2.4"

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

    def version(self) -> str:
        return command.run([self.binary, "version", "--short"], what="helm version").stdout.strip().split("+")[0]

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

    def lint(self, chart: Path, *, kube_version: str | None = None, values_file: Path | None = None) -> str:
        argv: list[Any] = [self.binary, "lint", "--strict", chart]
        if kube_version:
            argv += ["--kube-version", kube_version]
        if values_file:
            argv += ["--values", values_file]
        return command.run(argv, what=f"helm lint {chart.name}").stdout
