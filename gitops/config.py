"""The typed cluster config: `clusters/<name>/cluster.yaml`, the only hand-edited input per cluster.

    cluster = load_cluster(repo, "staging")     # raises ConfigError with file:key on any mistake
    cluster.version, cluster.flavour            # "3.3.18", "flux"
    fleet = load_fleet(repo)                    # every cluster, plus cross-cluster checks

YAML is parsed once here; everything past this module works with :class:`Cluster`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gitops.errors import ConfigError, VersionError
from gitops.paths import Repo
from gitops.versions import parse_version

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1"}  # noqa: S104 - refused, not bound


def _dns_label(value: str, what: str) -> str:
    if not DNS_LABEL.match(value):
        raise ValueError(
            f"{what} must be a DNS label: lower-case letters, digits and '-', at most 63 characters, "
            f"starting and ending with a letter or digit"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class GitSource(_Strict):
    """Where the GitOps controller pulls this repository from."""

    url: str
    branch: str = "main"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^(https?|ssh)://[^\s/]+/\S+$", value):
            raise ValueError("must be an http(s):// or ssh:// URL of the git repository")
        return value

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", value) or ".." in value:
            raise ValueError("must be a git branch name")
        return value


class SecretRef(_Strict):
    """A Kubernetes Secret kept SOPS-encrypted in secrets/<cluster>/."""

    secret: str

    @field_validator("secret")
    @classmethod
    def _name(cls, value: str) -> str:
        return _dns_label(value, "a Secret name")


class Database(SecretRef):
    secret: str = "trigger-database"  # noqa: S105 - a Secret name


class Redis(SecretRef):
    secret: str = "trigger-redis"  # noqa: S105 - a Secret name
    tls: bool = False


class Registry(_Strict):
    """The registry `trigger.dev deploy --self-hosted --push` pushes task images to."""

    host: str
    namespace: str = "trigger"

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z0-9.-]+(:[0-9]+)?$", value):
            raise ValueError("must be a registry host such as registry.example.com or registry.example.com:5000")
        return value


class Resources(_Strict):
    requests: dict[str, str] | None = None
    limits: dict[str, str] | None = None


class Component(_Strict):
    enabled: bool = True
    replicas: int | None = Field(default=None, ge=0, le=100)
    resources: Resources | None = None


class Components(_Strict):
    app: Component = Component()
    worker: Component = Component()
    supervisor: Component = Component()
    electric: Component = Component(enabled=False)

    @field_validator("app", "supervisor")
    @classmethod
    def _required(cls, value: Component) -> Component:
        if not value.enabled:
            raise ValueError("cannot be disabled: Trigger.dev 3.x needs it")
        return value


class Cluster(_Strict):
    """One cluster's desired state. Field names are the YAML keys."""

    name: str
    flavour: Literal["flux", "argocd"]
    ring: str = "default"
    namespace: str = "trigger"
    task_namespace: str | None = Field(default=None, alias="taskNamespace")
    version: str
    kubernetes_version: str = Field(default="1.33", alias="kubernetesVersion")
    public_url: str = Field(alias="publicUrl")
    git: GitSource
    database: Database = Database()
    redis: Redis = Redis()
    registry: Registry | None = None
    components: Components = Components()
    values: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _cluster_name(cls, value: str) -> str:
        return _dns_label(value, "the cluster name")

    @field_validator("ring")
    @classmethod
    def _ring(cls, value: str) -> str:
        return _dns_label(value, "the ring")

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        _dns_label(value, "the namespace")
        if value.startswith("kube-") or value in {"default", "flux-system", "argocd"}:
            raise ValueError(f"{value!r} is reserved; choose a namespace of its own such as 'trigger'")
        return value

    @field_validator("task_namespace")
    @classmethod
    def _task_namespace(cls, value: str | None) -> str | None:
        return None if value is None else cls._namespace(value)

    @model_validator(mode="after")
    def _namespaces_differ(self) -> Cluster:
        if self.tasks_namespace == self.namespace:
            raise ValueError(
                "taskNamespace: must differ from namespace: the provider's task pods carry no securityContext, "
                "so they cannot run where Pod Security 'restricted' is enforced"
            )
        _dns_label(self.tasks_namespace, "taskNamespace (default: <namespace>-tasks)")
        return self

    @property
    def tasks_namespace(self) -> str:
        """Where the provider creates task pods (Pod Security 'baseline'); default `<namespace>-tasks`."""
        return self.task_namespace or f"{self.namespace}-tasks"

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError('must be a quoted release version such as "3.3.18"')
        try:
            return str(parse_version(value))
        except VersionError as err:
            raise ValueError(str(err)) from None

    @field_validator("kubernetes_version")
    @classmethod
    def _kube(cls, value: str) -> str:
        if not re.match(r"^1\.(2[89]|3[0-9])$", value):
            raise ValueError('must be a Kubernetes minor version from "1.28" to "1.39", quoted')
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL such as https://trigger.example.com")
        if parts.hostname in LOCAL_HOSTS:
            raise ValueError("must not be localhost: task pods reach the API through it; use the public host name")
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise ValueError("must be the site root, without path, query or fragment")
        return value.rstrip("/")

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_url).hostname or ""


def _key_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx_error = (error.get("ctx") or {}).get("error")
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling (see clusters/README or the README's cluster.yaml table)"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"expected one of {error['ctx']['expected']}, got {error['input']!r}"
    if ctx_error is not None:
        return str(ctx_error)
    if kind.endswith("_type"):
        expected = kind.removesuffix("_type").replace("dict", "mapping").replace("model", "mapping")
        return f"expected {expected}, got {type(error['input']).__name__} {error['input']!r}"
    return error["msg"]


def parse_cluster(data: Any, source: str) -> Cluster:
    """Validate already-loaded YAML; ``source`` names the file in messages."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a mapping of keys (name, flavour, version, ...), got {type(data).__name__}"
        )
    try:
        return Cluster.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where = f"{_key_path(first['loc'])}: " if first["loc"] else ""
        raise ConfigError(f"{source}: {where}{_describe(first)}{more}") from None


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, source: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: file not found") from None
    return yaml_load(text, source)


def yaml_load(text: str, source: str) -> Any:
    """Parse one YAML document (C-accelerated safe loader); ConfigError with file:line on a syntax error."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{source}{where}: not valid YAML ({getattr(err, 'problem', err)})") from None


def load_cluster_file(path: Path, source: str | None = None, expected_name: str | None = None) -> Cluster:
    source = source or str(path)
    cluster = parse_cluster(read_yaml(path, source), source)
    if expected_name is not None and cluster.name != expected_name:
        raise ConfigError(f"{source}: name: is {cluster.name!r} but the folder is {expected_name!r}; they must match")
    return cluster


def load_cluster(repo: Repo, name: str) -> Cluster:
    path = repo.cluster_file(name)
    if not path.is_file():
        known = ", ".join(cluster_names(repo)) or "none"
        raise ConfigError(f"cluster {name!r} not found: no {repo.rel(path)} (known clusters: {known})")
    return load_cluster_file(path, repo.rel(path), expected_name=name)


def cluster_names(repo: Repo) -> list[str]:
    if not repo.clusters.is_dir():
        return []
    return sorted(p.parent.name for p in repo.clusters.glob("*/cluster.yaml"))


def check_fleet(clusters: list[Cluster], sources: dict[str, str]) -> None:
    """Cross-cluster rules: unique names and unique public hosts."""
    seen_names: dict[str, str] = {}
    seen_hosts: dict[str, str] = {}
    for cluster in clusters:
        source = sources[cluster.name] if cluster.name in sources else cluster.name
        if cluster.name in seen_names:
            raise ConfigError(f"{source}: name: {cluster.name!r} is already used by {seen_names[cluster.name]}")
        seen_names[cluster.name] = source
        host = cluster.public_host
        if host in seen_hosts:
            raise ConfigError(
                f"{source}: publicUrl: host {host!r} is already used by {seen_hosts[host]}; each cluster needs its own"
            )
        seen_hosts[host] = source


def require_names(repo: Repo, names: list[str]) -> list[str]:
    """``names`` without repeats, each an existing cluster; ConfigError naming the known ones otherwise."""
    known = cluster_names(repo)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"cluster {unknown[0]!r} not found: no {repo.rel(repo.cluster_file(unknown[0]))} "
            f"(known clusters: {', '.join(known) or 'none'})"
        )
    return list(dict.fromkeys(names))


def load_fleet(repo: Repo, names: list[str] | None = None) -> list[Cluster]:
    """Every cluster (validated, fleet rules checked), or only ``names`` (still checked against the whole fleet)."""
    wanted = None if names is None else set(require_names(repo, names))
    clusters = [load_cluster(repo, name) for name in cluster_names(repo)]
    check_fleet(clusters, {c.name: repo.rel(repo.cluster_file(c.name)) for c in clusters})
    return clusters if wanted is None else [c for c in clusters if c.name in wanted]


def select(clusters: list[Cluster], names: list[str] | None = None, ring: str | None = None) -> list[Cluster]:
    """Filter by explicit names and/or ring; an empty selection is an error."""
    chosen = [c for c in clusters if (not names or c.name in names) and (ring is None or c.ring == ring)]
    if not chosen:
        rings = sorted({c.ring for c in clusters})
        raise ConfigError(f"no cluster matches (ring={ring!r}, clusters={names or 'all'}); rings in the fleet: {rings}")
    return chosen
