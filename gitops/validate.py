"""Offline validation of everything the repository generates: lint, schemas, policy, workflows.

    findings = validate_repo(Repo.find())                       # every cluster, the chart, YAML, workflows
    findings = validate_texts({path: text})                     # staged output before it is written
    print("\\n".join(map(str, findings)))                        # file:line: Kind/name: rule: message

Each :class:`Finding` names the file (relative to the root), the line, the object, the rule and what is
wrong. Nothing here needs the network once the CRD schema cache is filled (`invoke validate.prefetch`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yamllint import linter as yamllint_linter
from yamllint.config import YamlLintConfig

from gitops import config, policy, schemas
from gitops.command import run
from gitops.errors import ConfigError
from gitops.helm import Helm
from gitops.paths import Repo

HELMS = ("helm3", "helm4")
GENERATED_DIRS = ("manifests", "sync")
YAMLLINT_CONFIG = ".yamllint.yaml"
# Folders never holding hand-written YAML (tool caches); .yamllint.yaml's ignore list covers the rest.
_SKIP_DIRS = {".git", ".tools", ".nox", ".venv", "venv", "node_modules", ".pytest_cache", ".ruff_cache", "__pycache__"}
_UNKNOWN_FIELDS = re.compile(r"\('?(.+?)'? (?:was|were) unexpected\)")


@dataclass(frozen=True)
class Finding:
    """One problem: ``file`` relative to the validated root, ``object`` as Kind/name, ``rule``, ``message``."""

    file: str
    object: str
    rule: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.object}: {self.rule}: {self.message}"


@dataclass
class Stats:
    """What a run looked at, for the summary line."""

    files: int = 0
    objects: int = 0
    clusters: list[str] = field(default_factory=list)
    kube: tuple[str, str] = ("", "")
    checks: list[str] = field(default_factory=list)


# --- entry points ----------------------------------------------------------------------------------


def validate_repo(repo: Repo, clusters: Sequence[str] | None = None, stats: Stats | None = None) -> list[Finding]:
    """Every check, offline: helm lint (v3, v4), yamllint, actionlint, and per cluster schemas + policy.

    ``clusters`` None means every cluster; an empty list runs only the repository-wide lints.
    """
    stats = stats if stats is not None else Stats()
    names = select_clusters(repo, clusters)
    kube = schemas.kube_range(repo.chart)
    stats.clusters, stats.kube = names, kube
    findings: list[Finding] = []
    if (repo.chart / "Chart.yaml").is_file():
        for helm in HELMS:
            findings += helm_lint(repo.tools_bin / helm, repo.chart, root=repo.root, kube=kube[1])
        stats.checks.append("helm lint --strict (v3, v4)")
    findings += lint_yaml(hand_written_yaml(repo.root), root=repo.root)
    stats.checks.append("yamllint")
    workflows = sorted((repo.root / ".github" / "workflows").glob("*.y*ml"))
    if workflows:
        findings += lint_workflows(workflows, root=repo.root, actionlint=repo.tools_bin / "actionlint")
        stats.checks.append("actionlint")
    store = schemas.SchemaStore.load()
    for name in names:
        files = cluster_files(repo, name)
        findings += validate_files(files, root=repo.root, kube=kube, store=store, stats=stats)
    stats.checks.append(f"schemas (Kubernetes {kube[0]} and {kube[1]}, Flux, Argo CD) + policy")
    return sort_findings(findings)


def validate_files(
    paths: Iterable[Path],
    *,
    root: Path | None = None,
    kube: tuple[str, str] | None = None,
    store: schemas.SchemaStore | None = None,
    stats: Stats | None = None,
) -> list[Finding]:
    """Schema + policy checks of Kubernetes manifests, reported relative to ``root`` (e.g. a staging directory).

    Pass Kubernetes objects only (not cluster.yaml or lock.yaml).
    ``kube`` is the (oldest, newest) Kubernetes minor; by default the range the repository's chart claims.
    """
    paths = [Path(p) for p in paths]
    if root is None:
        root = Path(os.path.commonpath([p.resolve().parent for p in paths])) if paths else Path.cwd()
    texts = {_relative(path, root): path.read_text(encoding="utf-8") for path in paths}
    return validate_texts(texts, kube=kube, store=store, stats=stats)


def validate_texts(
    texts: dict[str, str],
    *,
    kube: tuple[str, str] | None = None,
    store: schemas.SchemaStore | None = None,
    stats: Stats | None = None,
) -> list[Finding]:
    """:func:`validate_files` on contents not yet written: ``{shown path: YAML text}`` (what a bump stages)."""
    if kube is None:
        kube = _default_kube()
    store = store or schemas.SchemaStore.load()
    stats = stats if stats is not None else Stats()
    findings: list[Finding] = []
    for shown, text in texts.items():
        stats.files += 1
        try:
            docs = load_documents(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 1 if mark else None
            findings.append(Finding(shown, "-", "yaml", f"not valid YAML: {getattr(err, 'problem', err)}", line))
            continue
        for doc in docs:
            if doc.data is None:
                continue
            stats.objects += 1
            findings += check_object(doc, shown, kube, store)
    return sort_findings(findings)


# --- documents with line numbers ---------------------------------------------------------------------


@dataclass
class Document:
    data: Any
    node: yaml.Node | None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node along ``path`` that exists."""
        node = self.node
        if node is None:
            return None
        line = node.start_mark.line + 1
        for key in path:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if str(k.value) == str(key)), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return line


def load_documents(text: str) -> list[Document]:
    """Every YAML document of a file with its node tree (for line numbers)."""
    loader = yaml.SafeLoader(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            docs.append(Document(loader.construct_document(node), node))
    finally:
        loader.dispose()
    return docs


# --- one object ---------------------------------------------------------------------------------------


def object_name(data: Any) -> str:
    if not isinstance(data, dict) or not data.get("kind"):
        return "-"
    name = ((data.get("metadata") or {}).get("name")) if isinstance(data.get("metadata"), dict) else None
    return f"{data.get('kind') or '?'}/{name or '?'}"


def check_object(doc: Document, shown: str, kube: tuple[str, str], store: schemas.SchemaStore) -> list[Finding]:
    data = doc.data
    label = object_name(data)
    if not isinstance(data, dict) or not data.get("apiVersion") or not data.get("kind"):
        message = "not a Kubernetes object (apiVersion and kind are required)"
        return [Finding(shown, label, "schema", message, doc.line_of(()))]
    api, kind = str(data["apiVersion"]), str(data["kind"])
    if api.startswith("kustomize.config.k8s.io/") or (api == "viaduct.ai/v1" and kind.lower() == "ksops"):
        return []  # kustomize's own files and KSOPS generators: no API schema to check against
    findings = [Finding(shown, label, v.rule, v.message, doc.line_of(v.path)) for v in policy.check(data, kube=kube)]
    if "sops" in data or any(f.rule == "deprecated-api" for f in findings):
        return findings  # encrypted (sops metadata is not part of the API) or already reported as removed
    findings += schema_findings(doc, shown, label, api, kind, kube, store)
    return findings


def schema_findings(
    doc: Document, shown: str, label: str, api: str, kind: str, kube: tuple[str, str], store: schemas.SchemaStore
) -> list[Finding]:
    seen: dict[tuple[str, int | None], list[str]] = {}
    missing = []
    deprecated = None
    versions = list(dict.fromkeys(kube))
    checked = []
    for version in versions:
        schema = store.schema(version, api, kind)
        if schema is None:
            missing.append(version)
            continue
        checked.append(version)
        if schema.deprecated:
            deprecated = schema.source
        for path, message in _schema_errors(schema.validator, doc.data):
            seen.setdefault((message, doc.line_of(path)), []).append(version)
        if not schema.source.startswith("Kubernetes"):
            break  # CRD schemas do not depend on the Kubernetes version
    findings = []
    if missing:
        where = ", ".join(missing)
        message = f"no schema for {api} {kind} in Kubernetes {where} nor in the pinned CRDs (wrong apiVersion?)"
        findings.append(Finding(shown, label, "schema", message, doc.line_of(("apiVersion",))))
    if deprecated:
        message = f"{api} {kind} is deprecated in {deprecated}; move to the controller's current API version"
        findings.append(Finding(shown, label, "deprecated-api", message, doc.line_of(("apiVersion",))))
    for (message, line), where in seen.items():
        suffix = f" (Kubernetes {', '.join(where)} only)" if len(where) < len(checked) else ""
        findings.append(Finding(shown, label, "schema", message + suffix, line))
    return findings


def _schema_errors(validator: Any, data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    out = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        while error.context:  # anyOf/oneOf: report the branch that got furthest
            error = max(error.context, key=lambda e: len(e.absolute_path))
        path = tuple(error.absolute_path)
        out.append(_describe(error, path))
    return out


def _describe(error: Any, path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str]:
    """A short message that never repeats the offending value (it could be a secret)."""
    where = _dotted(path) or "(top level)"
    kind = error.validator
    if kind == "additionalProperties":
        names = _UNKNOWN_FIELDS.findall(error.message)
        fields = [n.strip("'") for group in names for n in group.split("', '")] or ["?"]
        return (*path, fields[0]), f"unknown field {_dotted((*path, fields[0]))}" + (
            f" (and {', '.join(fields[1:])})" if len(fields) > 1 else ""
        )
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return path, f"{where}: required field {missing!r} is missing"
    if kind == "type":
        return path, f"{where}: must be {_types(error.validator_value)}, not {_typename(error.instance)}"
    if kind == "enum":
        allowed = ", ".join(map(str, error.validator_value))[:100]
        return path, f"{where}: must be one of {allowed}"
    return path, f"{where}: fails {kind} {json.dumps(error.validator_value)[:80]}"


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def _types(value: Any) -> str:
    kinds = [value] if isinstance(value, str) else [v for v in value if v != "null"]
    words = {"object": "a mapping", "array": "a list", "integer": "an integer"}
    return " or ".join(words.get(k, f"a {k}") for k in kinds)


def _typename(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "a mapping", list: "a list", str: "a string", int: "an integer", float: "a number"}.get(
        type(value), "null"
    )


# --- lints -------------------------------------------------------------------------------------------


def helm_lint(helm: Path, chart: Path, *, root: Path, kube: str) -> list[Finding]:
    """``helm lint --strict`` of the chart; one finding per WARNING/ERROR line."""
    rule = f"{helm.name}-lint"
    result = Helm(helm).lint(chart, kube_version=f"v{kube}.0")
    chart_rel = _relative(chart, root)
    entries: list[list[str]] = []
    for line in (result.stdout + result.stderr).splitlines():
        if re.match(r"^\[(WARNING|ERROR|INFO)\]", line):
            entries.append([line.strip()])
        elif entries and line.startswith((" ", "\t")):
            entries[-1].append(line.strip())  # helm 4 continues a message on indented lines
        elif entries:
            entries.append([])  # anything else ends the current message
    findings = []
    for parts in filter(None, entries):
        match = re.match(r"^\[(WARNING|ERROR)\]\s+(.*?):\s+(.*)$", " ".join(parts))
        if not match:
            continue
        level, where, message = match.groups()
        file, line_no = f"{chart_rel}/{where}".rstrip("/"), None
        located = re.search(r"[\w.-]+/(templates/[^:\s]+):(\d+)", message)
        if located:
            file, line_no = f"{chart_rel}/{located[1]}", int(located[2])
        findings.append(Finding(file, "chart", rule, f"{level.lower()}: {message}", line_no))
    if result.returncode and not findings:
        message = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["failed"]
        findings.append(Finding(chart_rel, "chart", rule, message[0]))
    return findings


def hand_written_yaml(root: Path) -> list[Path]:
    """YAML files people edit: not generated (header line), not SOPS-encrypted, not in tool folders.

    The ``ignore`` list of .yamllint.yaml is applied on top by :func:`lint_yaml`.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            encrypted = name.endswith((".sops.yaml", ".sops.yml")) and name not in (".sops.yaml", ".sops.yml")
            if not name.endswith((".yaml", ".yml")) or encrypted:
                continue
            path = Path(dirpath) / name
            with path.open(encoding="utf-8", errors="replace") as handle:
                first = handle.readline()
            if "DO NOT EDIT" not in first:
                found.append(path)
    return found


def lint_yaml(paths: Iterable[Path], *, root: Path, config: Path | None = None) -> list[Finding]:
    """yamllint (errors only) with the repository's .yamllint.yaml, honouring its ``ignore`` list."""
    config_file = config or root / YAMLLINT_CONFIG
    conf = YamlLintConfig(file=str(config_file)) if config_file.is_file() else YamlLintConfig("extends: default")
    findings = []
    for path in paths:
        shown = _relative(path, root)
        if conf.is_file_ignored(shown):
            continue
        text = path.read_text(encoding="utf-8")
        for problem in yamllint_linter.run(text, conf, str(path)):
            if problem.level == "error":
                message = f"{problem.desc} ({problem.rule})" if problem.rule else problem.desc
                findings.append(Finding(shown, "-", "yamllint", message, problem.line))
    return findings


def lint_workflows(paths: Sequence[Path], *, root: Path, actionlint: Path) -> list[Finding]:
    """actionlint on GitHub workflow files; one finding per problem."""
    if not paths:
        return []
    result = run(
        [Path(actionlint).resolve(), "-no-color", "-format", "{{json .}}", *(Path(p).resolve() for p in paths)],
        cwd=root,
        ok_codes=(0, 1),
        what="actionlint",
    )
    findings = []
    for item in json.loads(result.stdout or "[]") or []:
        path = Path(item.get("filepath", "?"))
        shown = _relative(path if path.is_absolute() else root / path, root)
        message = f"{item.get('message')} ({item.get('kind')})"
        findings.append(Finding(shown, "workflow", "actionlint", message, item.get("line")))
    return findings


# --- helpers -----------------------------------------------------------------------------------------


def select_clusters(repo: Repo, wanted: Sequence[str] | None) -> list[str]:
    return config.cluster_names(repo) if wanted is None else config.require_names(repo, list(wanted))


def cluster_files(repo: Repo, name: str) -> list[Path]:
    """Kubernetes objects of one cluster: rendered ``manifests/`` and ``sync/``, and its ``secrets/`` folder.

    ``cluster.yaml`` (validated by the config model) and ``lock.yaml`` (provenance) are not Kubernetes objects.
    """
    generated = [p for sub in GENERATED_DIRS for p in sorted((repo.cluster_dir(name) / sub).rglob("*.y*ml"))]
    secret_files = sorted(repo.secrets_dir(name).rglob("*.y*ml")) if repo.secrets_dir(name).is_dir() else []
    return generated + secret_files


def changed_clusters(repo: Repo, changed: Iterable[str]) -> list[str] | None:
    """Clusters a change touches (paths relative to the root); None when it touches something shared by all."""
    names: set[str] = set()
    for raw in changed:
        parts = Path(raw).parts
        if len(parts) >= 2 and parts[0] in ("clusters", "secrets"):
            names.add(parts[1])
        elif parts and parts[0] not in ("docs",) and not raw.endswith(".md"):
            return None
    known = set(select_clusters(repo, None))
    return sorted(names & known)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    unique = dict.fromkeys(findings)
    return sorted(unique, key=lambda f: (f.file, f.line or 0, f.object, f.rule, f.message))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _default_kube() -> tuple[str, str]:
    try:
        return schemas.kube_range(Repo.find().chart)
    except ConfigError:
        versions = schemas.k8s_versions()
        return versions[0], versions[-1]
