"""Render the trigger-dev chart with a real helm and look at the objects.

    objs = render("helm4", "ci/gitops-values.yaml")
    app = one(objs, "Deployment", "trigger-trigger-dev-app")
    env_of(app)["V3_ENABLED"]  # "true"

Every render is cached for the whole test session: each ci/ values file is rendered once per helm.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from gitops.command import run

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "apps" / "trigger-dev"
TOOLS = ROOT / ".tools" / "bin"
HELMS = ("helm3", "helm4")
RELEASE = "trigger"
NAMESPACE = "trigger"
KUBE_VERSION = "1.31.0"
CI_FILES = tuple(sorted(p.name for p in (CHART / "ci").glob("*-values.yaml")))

Obj = dict[str, Any]


def helm_bin(helm: str) -> Path:
    path = TOOLS / helm
    if not path.is_file():
        raise AssertionError(f"{path} is missing: run `invoke tools.install` first")
    return path


def _argv(helm: str, values: tuple[str, ...], sets: tuple[str, ...]) -> list[str]:
    argv = [str(helm_bin(helm)), "template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    argv += ["--kube-version", KUBE_VERSION]
    for name in values:
        argv += ["--values", str(CHART / name if not Path(name).is_absolute() else name)]
    for item in sets:
        argv += ["--set", item]
    return argv


@functools.cache
def render_text(helm: str, *values: str, sets: tuple[str, ...] = ()) -> str:
    """The raw `helm template` output."""
    return run(_argv(helm, values, sets), what=f"{helm} template").stdout


def render(helm: str, *values: str, sets: tuple[str, ...] = ()) -> list[Obj]:
    """Parsed objects of `helm template` (values paths relative to the chart)."""
    return [doc for doc in yaml.safe_load_all(render_text(helm, *values, sets=sets)) if doc]


@functools.cache
def render_error(helm: str, *values: str, sets: tuple[str, ...] = ()) -> str:
    """The whole error output of a render that must fail (AssertionError if it succeeds)."""
    result = run(_argv(helm, values, sets), ok_codes=(0, 1), what=f"{helm} template")
    if result.returncode == 0:
        raise AssertionError(f"{helm} template with {values} {sets} succeeded but should have failed")
    return result.stderr


def lint(helm: str, *values: str) -> str:
    argv = [str(helm_bin(helm)), "lint", "--strict", str(CHART)]
    for name in values:
        argv += ["--values", str(CHART / name)]
    return run(argv, what=f"{helm} lint").stdout


def of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def one(objs: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {[o['metadata']['name'] for o in of_kind(objs, kind)]}"
    return found[0]


def component(objs: list[Obj], kind: str, name: str) -> Obj:
    """The object of a component by its label (app, worker, coordinator, provider, electric, migrations)."""
    found = [
        o for o in of_kind(objs, kind) if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") == name
    ]
    assert len(found) == 1, f"expected one {kind} of component {name}, found {len(found)}"
    return found[0]


def pod_spec(obj: Obj) -> Obj:
    if obj["kind"] == "Pod":
        return obj["spec"]
    return obj["spec"]["template"]["spec"]


def env_list(obj: Obj, container: int = 0) -> list[Obj]:
    return pod_spec(obj)["containers"][container].get("env", [])


def env_of(obj: Obj, container: int = 0) -> dict[str, Any]:
    """NAME -> literal value, or ("secret", secret name, key) for secretKeyRef entries."""
    out: dict[str, Any] = {}
    for entry in env_list(obj, container):
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        out[entry["name"]] = ("secret", ref["name"], ref["key"]) if ref else entry.get("value", entry.get("valueFrom"))
    return out


def workloads(objs: list[Obj]) -> list[Obj]:
    return [o for o in objs if o["kind"] in ("Deployment", "Job", "Pod")]
