"""JSON schemas for every object we generate, offline: Kubernetes built-ins and the GitOps CRDs.

    store = SchemaStore.load()                      # reads the CRD cache; fetches it once if empty
    store.schema("1.37", "apps/v1", "Deployment")   # -> Schema (a strict jsonschema validator) or None
    prefetch()                                      # fill the CRD cache through the Go module proxy

Kubernetes schemas come from the PyPI package ``kubernetes-validate`` (its ``-strict`` sets reject
unknown fields). Flux and Argo CD schemas come from the ``openAPIV3Schema`` of the CRDs inside the
controllers' Go module zips (``go mod download``), converted once into strict JSON schemas and cached
under ``${XDG_CACHE_HOME:-~/.cache}/trigger-gitops/schemas/``.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import referencing
import referencing.jsonschema
import yaml

from gitops.command import run
from gitops.errors import ConfigError, ToolError

# Go modules whose CRDs we validate against (module, version, folder of CRD files inside the module zip).
# To be moved into tools.toml ([schemas] table) by the owner of that file.
PINS_FILE = Path(__file__).resolve().parent.parent / "tools.toml"


def crd_modules() -> tuple[tuple[str, str, str], ...]:
    """(module, version, CRD folder) of each controller whose CRDs validate sync objects (tools.toml schemas.crds)."""
    try:
        data = tomllib.loads(PINS_FILE.read_text(encoding="utf-8"))
        return tuple((c["module"], c["version"], c["dir"]) for c in data["schemas"]["crds"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"tools.toml: schemas.crds: missing or malformed ({err}); restore it from git") from None


K8S_SCHEMA_ROOT = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
_DIR_RE = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")


def cache_dir() -> Path:
    """Where converted CRD schemas are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trigger-gitops" / "schemas"


def k8s_versions() -> list[str]:
    """Kubernetes minors ("1.25" … "1.37") whose strict schemas ship with kubernetes-validate, oldest first."""
    found = []
    for entry in K8S_SCHEMA_ROOT.iterdir():
        match = _DIR_RE.match(entry.name)
        if match:
            found.append((int(match[1]), int(match[2])))
    return [f"{a}.{b}" for a, b in sorted(found)]


def minor_key(version: str) -> tuple[int, int]:
    """'1.27' or 'v1.27.3' -> (1, 27)."""
    match = re.match(r"^v?(\d+)\.(\d+)", version.strip())
    if not match:
        raise ConfigError(f"{version!r} is not a Kubernetes version; write it like 1.27")
    return int(match[1]), int(match[2])


def kube_range(chart_dir: Path) -> tuple[str, str]:
    """The oldest and newest Kubernetes minors to validate against for a chart.

    Oldest: the lower bound of ``kubeVersion`` in Chart.yaml (clamped to the oldest schema set we have);
    newest: the newest schema set we have offline (or the chart's upper bound, if it names one).
    """
    shipped = k8s_versions()
    chart_yaml = chart_dir / "Chart.yaml"
    constraint = ""
    if chart_yaml.is_file():
        constraint = str((yaml.safe_load(chart_yaml.read_text()) or {}).get("kubeVersion") or "")
    lows = [minor_key(v) for v in re.findall(r">=?\s*v?(\d+\.\d+)", constraint)]
    highs = [minor_key(v) for v in re.findall(r"<=?\s*v?(\d+\.\d+)", constraint)]
    oldest = max(lows) if lows else minor_key(shipped[0])
    newest = min(highs) if highs else minor_key(shipped[-1])
    avail = [minor_key(v) for v in shipped]
    oldest = min((v for v in avail if v >= oldest), default=avail[-1])
    newest = max((v for v in avail if v <= newest), default=avail[0])
    return f"{oldest[0]}.{oldest[1]}", f"{newest[0]}.{newest[1]}"


@dataclass(frozen=True)
class Schema:
    """A strict validator for one apiVersion/kind, and whether that API version is deprecated."""

    validator: Any
    deprecated: bool = False
    source: str = ""


@dataclass
class SchemaStore:
    crds: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, *, fetch: bool = True) -> SchemaStore:
        """Read every pinned CRD schema from the cache (fetching missing ones first unless ``fetch`` is False)."""
        store = cls()
        for module, version, _ in crd_modules():
            path = _cache_file(module, version)
            if not path.is_file():
                if not fetch:
                    raise ToolError(
                        f"{path}: CRD schemas for {module}@{version} are not cached; "
                        "run `invoke validate.prefetch` once with access to the Go module proxy"
                    )
                prefetch()
            for entry in json.loads(path.read_text())["schemas"]:
                store.crds[(entry["apiVersion"], entry["kind"])] = entry
        return store

    def schema(self, kube_version: str, api_version: str, kind: str) -> Schema | None:
        """The strict schema for an object, or None when neither Kubernetes nor a pinned CRD defines it."""
        crd = self.crds.get((api_version, kind))
        if crd is not None:
            return _crd_schema(api_version, kind, json.dumps(crd["schema"]), crd["deprecated"], crd["source"])
        return _k8s_schema(kube_version, api_version, kind)


# --- Kubernetes built-ins ------------------------------------------------------------------------------


def _schema_dir(kube_version: str) -> Path:
    want = minor_key(kube_version)
    best = [v for v in k8s_versions() if minor_key(v) <= want]
    if not best:
        raise ConfigError(
            f"no offline Kubernetes schemas for {kube_version}; the oldest shipped is {k8s_versions()[0]}"
        )
    return K8S_SCHEMA_ROOT / f"v{best[-1]}.0-local-strict"


@functools.cache
def _k8s_registry(kube_version: str) -> referencing.Registry:
    definitions = json.loads((_schema_dir(kube_version) / "_definitions.json").read_text())
    resource = referencing.Resource.from_contents(definitions, default_specification=referencing.jsonschema.DRAFT202012)
    return resource @ referencing.Registry()


@functools.cache
def _k8s_schema(kube_version: str, api_version: str, kind: str) -> Schema | None:
    # kubernetes-validate names files <kind>-<group prefix>-<version>.json: apps/v1 -> apps-v1, v1 -> v1,
    # rbac.authorization.k8s.io/v1 -> rbac-v1.
    group, _, version = api_version.rpartition("/")
    stem = f"{kind.lower()}-{group.split('.')[0]}-{version}" if group else f"{kind.lower()}-{version}"
    path = _schema_dir(kube_version) / f"{stem}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    gvks = schema.get("x-kubernetes-group-version-kind") or []
    if gvks and not any(g.get("kind") == kind and _gv(g) == api_version for g in gvks):
        return None  # e.g. a file for another group sharing the same first label
    validator = jsonschema.Draft202012Validator(schema, registry=_k8s_registry(kube_version))
    return Schema(validator, source=f"Kubernetes {minor_key(path.parent.name)[0]}.{minor_key(path.parent.name)[1]}")


def _gv(gvk: dict[str, str]) -> str:
    return f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]


# --- CRDs ----------------------------------------------------------------------------------------------


@functools.cache
def _crd_schema(api_version: str, kind: str, schema_json: str, deprecated: bool, source: str) -> Schema:
    schema = json.loads(schema_json)
    return Schema(jsonschema.Draft202012Validator(schema), deprecated=deprecated, source=source)


CACHE_FORMAT = 1  # bump when the CRD conversion changes, so old caches are rebuilt


def _cache_file(module: str, version: str) -> Path:
    return cache_dir() / f"{module.replace('/', '_')}@{version}.v{CACHE_FORMAT}.json"


def prefetch(modules: tuple[tuple[str, str, str], ...] | None = None) -> list[Path]:
    """Download each pinned controller module (Go module proxy), convert its CRDs, and cache them. Idempotent."""
    modules = modules or crd_modules()
    written = []
    for module, version, crd_dir in modules:
        target = _cache_file(module, version)
        if target.is_file():
            written.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        result = run(
            ["go", "mod", "download", "-json", f"{module}@{version}"],
            cwd=target.parent,
            env={"GOFLAGS": "-mod=mod", "GO111MODULE": "on", "GOTOOLCHAIN": "local"},
            ok_codes=(0, 1),
            what=f"go mod download {module}@{version}",
        )
        info = json.loads(result.stdout or "{}")
        module_dir = Path(info.get("Dir") or "")
        if info.get("Error") or not (module_dir / crd_dir).is_dir():
            reason = info.get("Error") or f"no {crd_dir}/ in the module"
            raise ToolError(
                f"{module}@{version}: cannot get CRDs ({reason.splitlines()[0]}); check the pin in schemas.py"
            )
        entries = []
        for crd_file in sorted((module_dir / crd_dir).glob("*.yaml")):
            for doc in yaml.safe_load_all(crd_file.read_text()):
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    entries.extend(crd_to_schemas(doc, source=f"{module}@{version}"))
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps({"module": module, "version": version, "schemas": entries}, sort_keys=True))
        tmp.replace(target)
        written.append(target)
    return written


def crd_to_schemas(crd: dict[str, Any], *, source: str) -> list[dict[str, Any]]:
    """One strict JSON schema per served version of a CustomResourceDefinition."""
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    out = []
    for version in spec.get("versions", []):
        if not version.get("served", True):
            continue
        api_version = f"{group}/{version['name']}"
        body = copy.deepcopy(((version.get("schema") or {}).get("openAPIV3Schema")) or {"type": "object"})
        schema = openapi_to_jsonschema(body)
        props = schema.setdefault("properties", {})
        props["apiVersion"] = {"type": "string", "enum": [api_version]}
        props["kind"] = {"type": "string", "enum": [kind]}
        props["metadata"] = {"type": "object"}
        schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out.append(
            {
                "apiVersion": api_version,
                "kind": kind,
                "deprecated": bool(version.get("deprecated", False)),
                "source": source,
                "schema": schema,
            }
        )
    return out


def openapi_to_jsonschema(node: Any) -> Any:
    """Structural OpenAPI v3 (as in a CRD) -> JSON schema that rejects unknown fields unless preserved."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes") or key == "nullable":
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: openapi_to_jsonschema(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [openapi_to_jsonschema(sub) for sub in value]
        elif key in _SCHEMA_VALUES:
            out[key] = openapi_to_jsonschema(value)
        else:
            out[key] = copy.deepcopy(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("x-kubernetes-embedded-resource"):
        props = out.setdefault("properties", {})
        for name in ("apiVersion", "kind"):
            props.setdefault(name, {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    preserve = node.get("x-kubernetes-preserve-unknown-fields", False)
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "not"})
