"""`.sops.yaml`: who can open which cluster's secrets. The tasks own this file; people change it through them.

    config = load(repo)                         # SopsConfig(admins={"alice": "age1..."}, clusters={...})
    config = config.with_cluster("staging", pair.public)
    text = config.render()                      # one creation rule per cluster: its key + every admin key

The `keys:` section names every public key once (YAML anchors); each cluster's creation rule
(`path_regex: ^secrets/<name>/.*\\.sops\\.yaml$`) lists that cluster's key and all admin keys, and
encrypts only `data`/`stringData`, so names and structure stay readable in review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gitops.age import validate_recipient
from gitops.errors import ConfigError, SecretsError
from gitops.paths import Repo

FILE_NAME = ".sops.yaml"
ENCRYPTED_REGEX = "^(data|stringData)$"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
HEADER = (
    "# Maintained by `invoke secrets.init` and `invoke secrets.recipients`; hand edits are overwritten.\n"
    "# Each cluster's files (secrets/<name>/*.sops.yaml) are encrypted to that cluster's own age key\n"
    "# and to every admin key. Only data/stringData values are encrypted; names stay reviewable.\n"
)


def path_regex(cluster: str) -> str:
    return rf"^secrets/{re.escape(cluster)}/.*\.sops\.yaml$"


@dataclass(frozen=True)
class SopsConfig:
    admins: dict[str, str] = field(default_factory=dict)
    clusters: dict[str, str] = field(default_factory=dict)

    def recipients(self, cluster: str) -> list[str]:
        """The age recipients for that cluster's files: its own key first, then the admins (sorted by name)."""
        if cluster not in self.clusters:
            raise SecretsError(
                f"{FILE_NAME}: keys.clusters.{cluster}: no age key for cluster {cluster!r}; "
                f"run `invoke secrets.init --cluster {cluster}`"
            )
        admins = [self.admins[name] for name in sorted(self.admins)]
        return [self.clusters[cluster], *[a for a in admins if a != self.clusters[cluster]]]

    def owner(self, recipient: str) -> str:
        """Who a recipient belongs to, for messages: "cluster staging", "admin alice" or "unknown key"."""
        for name, key in self.clusters.items():
            if key == recipient:
                return f"cluster {name}"
        for name, key in self.admins.items():
            if key == recipient:
                return f"admin {name}"
        return "a key not in .sops.yaml"

    def with_cluster(self, name: str, recipient: str) -> SopsConfig:
        return SopsConfig(dict(self.admins), {**self.clusters, name: recipient})

    def with_admin(self, name: str, recipient: str) -> SopsConfig:
        if not NAME.match(name):
            raise SecretsError(f"admin name {name!r}: use lower-case letters, digits, '-' or '_' (e.g. alice)")
        return SopsConfig({**self.admins, name: recipient}, dict(self.clusters))

    def without_admin(self, name: str) -> SopsConfig:
        return SopsConfig({k: v for k, v in self.admins.items() if k != name}, dict(self.clusters))

    def render(self) -> str:
        lines = [HEADER.rstrip("\n"), "keys:", "  admins:" + ("" if self.admins else " {}")]
        lines += [f"    {name}: &admin_{name} {key}" for name, key in sorted(self.admins.items())]
        lines.append("  clusters:" + ("" if self.clusters else " {}"))
        lines += [f"    {name}: &cluster_{name} {key}" for name, key in sorted(self.clusters.items())]
        lines.append("creation_rules:" + ("" if self.clusters else " []"))
        for name in sorted(self.clusters):
            lines += [
                f"  - path_regex: {path_regex(name)}",
                f"    encrypted_regex: {ENCRYPTED_REGEX}",
                "    key_groups:",
                "      - age:",
                f"          - *cluster_{name}",
            ]
            lines += [
                f"          - *admin_{admin}"
                for admin, key in sorted(self.admins.items())
                if key != self.clusters[name]
            ]
        return "\n".join(lines) + "\n"


def config_path(repo: Repo) -> Path:
    return repo.root / FILE_NAME


def _mapping(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{FILE_NAME}: {where}: expected a mapping of name: age1... public key")
    out: dict[str, str] = {}
    for name, key in value.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise ConfigError(f"{FILE_NAME}: {where}.{name}: names are lower-case letters, digits, '-' or '_'")
        if not isinstance(key, str):
            raise ConfigError(f"{FILE_NAME}: {where}.{name}: expected an age1... public key")
        out[name] = validate_recipient(key, f"{FILE_NAME}: {where}.{name}")
    return out


def parse(text: str) -> SopsConfig:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{FILE_NAME}: not valid YAML ({err}); rewrite it with `invoke secrets.recipients`") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{FILE_NAME}: expected a mapping with keys: and creation_rules:")
    keys = data.get("keys") or {}
    if not isinstance(keys, dict):
        raise ConfigError(f"{FILE_NAME}: keys: expected a mapping with admins: and clusters:")
    return SopsConfig(_mapping(keys.get("admins"), "keys.admins"), _mapping(keys.get("clusters"), "keys.clusters"))


def load(repo: Repo) -> SopsConfig:
    """The current `.sops.yaml` (an empty config when the file does not exist yet)."""
    path = config_path(repo)
    if not path.is_file():
        return SopsConfig()
    return parse(path.read_text(encoding="utf-8"))
