"""The wrapper modules are the one place the e2e versions are pinned, and the Kubernetes build stamps them."""

from __future__ import annotations

import re

from gitops.e2e.versions import COMPONENTS, KUBERNETES
from gitops.paths import Repo


def test_every_component_pins_an_exact_release(repo: Repo) -> None:
    for comp in COMPONENTS:
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comp.version(repo)), (comp.name, comp.version(repo))
        assert (comp.dir(repo) / "go.sum").is_file(), f"{comp.name}: go.sum missing"


def test_kubernetes_staging_modules_are_replaced_with_the_matching_release(repo: Repo) -> None:
    gomod = (KUBERNETES.dir(repo) / "go.mod").read_text()
    staging = KUBERNETES.version(repo).replace("v1.", "v0.", 1)
    replaces = re.findall(r"^\s+(k8s\.io/\S+) => (k8s\.io/\S+) (v\S+)$", gomod, re.MULTILINE)
    assert len(replaces) > 20
    assert all(old == new and version == staging for old, new, version in replaces), replaces


def test_kubernetes_ldflags_stamp_the_real_version(repo: Repo) -> None:
    version = KUBERNETES.version(repo)
    flags = KUBERNETES.ldflags(repo)
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert f"-X {pkg}.gitVersion={version}" in flags
        assert f"-X {pkg}.gitMinor={version.split('.')[1]}" in flags
