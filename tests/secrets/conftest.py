"""Fixtures for the secrets tests: a small fleet in a temporary repository, real sops and age, TEST keys only.

    def test_x(fleet):                   # a fresh copy of a two-cluster fleet, secrets already initialised
        decrypted(fleet, "alpha", "trigger-secrets")

sops is pointed at keys through the environment only (never the user's own key files): HOME and
XDG_CONFIG_HOME are temporary, SOPS_AGE_KEY*/TRIGGER_AGE_KEY_DIR are set per test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gitops import secrets
from gitops.age import KeyRing, PrivateKey, public_keys
from gitops.paths import Repo
from gitops.secret_values import SecretInputs
from gitops.sops import decrypt
from gitops.sops_config import SopsConfig, config_path

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = ROOT / "tests" / "keys" / "TEST-ONLY-admin.agekey"  # TEST ONLY key, committed on purpose
KEY_ENV = (
    "SOPS_AGE_KEY",
    "SOPS_AGE_KEY_FILE",
    "SOPS_AGE_KEY_CMD",
    "SOPS_AGE_RECIPIENTS",
    "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
)

ALPHA = """\
name: alpha
flavour: flux
namespace: trigger
version: "3.3.18"
publicUrl: https://trigger.alpha.example.com
git: {url: https://git.example.com/fleet.git}
"""
BETA = """\
name: beta
flavour: argocd
namespace: trigger-beta
version: "3.3.18"
publicUrl: https://trigger.beta.example.com
git: {url: https://git.example.com/fleet.git}
database: {secret: beta-db}
redis: {secret: beta-redis, tls: true}
registry: {host: registry.example.com, namespace: trigger}
"""
# Obviously fake TEST values: they are still encrypted by init, and secrets.check accepts them in test sources.
DATABASE_URL = "postgresql://trigger:TEST-ONLY-db-password@db.alpha.svc:5432/trigger?schema=public"
REDIS_URLS = {
    "alpha": "redis://:TEST-ONLY-redis-password@redis.alpha.svc:6379",
    "beta": "rediss://default:TEST-ONLY-redis-password@redis.example.com:6380",
}


def test_inputs(cluster: str = "alpha", **overrides: str | None) -> SecretInputs:
    flags: dict[str, str | None] = {
        "database_url": DATABASE_URL,
        "redis_url": REDIS_URLS.get(cluster, REDIS_URLS["alpha"]),
        "registry_username": "TEST-ONLY-user",
        "registry_password": "TEST-ONLY-registry-password",
    }
    flags.update(overrides)
    return SecretInputs(flags, {}, None)


test_inputs.__test__ = False  # a helper, not a test


@dataclass(frozen=True)
class Fleet:
    repo: Repo
    key_dir: Path  # cluster private keys (outside the repository)
    home: Path

    def env(self, admin: bool = True) -> dict[str, str]:
        env = {"HOME": str(self.home), "XDG_CONFIG_HOME": str(self.home / ".config"), "TRIGGER_AGE_KEY_DIR": ""}
        env["TRIGGER_AGE_KEY_DIR"] = str(self.key_dir)
        if admin:
            env["SOPS_AGE_KEY_FILE"] = str(ADMIN_KEY)
        return env


def make_repo(root: Path) -> Repo:
    (root / "apps" / "trigger-dev").mkdir(parents=True)
    (root / "tasks.py").write_text(
        '"""Test repository: only the secrets tasks."""\n'
        "from invoke import Collection\n\nfrom gitops.tasks import secrets\n\n"
        "ns = Collection()\nns.add_collection(Collection.from_module(secrets), name='secrets')\n"
    )
    for name, text in (("alpha", ALPHA), ("beta", BETA)):
        (root / "clusters" / name).mkdir(parents=True)
        (root / "clusters" / name / "cluster.yaml").write_text(text)
    (root / ".tools").symlink_to(ROOT / ".tools")
    (root / ".gitignore").write_text(".tools\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    return Repo(root)


def admin_config() -> SopsConfig:
    repo = Repo(ROOT)
    public = public_keys(repo, PrivateKey(ADMIN_KEY.read_text()), "admin")[0]
    return SopsConfig({"test-admin": public}, {})


@pytest.fixture(autouse=True)
def isolated_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the user's own age keys: key variables unset, HOME and XDG_CONFIG_HOME temporary."""
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(tmp_path / "no-keys"))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fleet built once per module: .sops.yaml with the TEST admin, both clusters initialised."""
    base = tmp_path_factory.mktemp("pristine")
    repo = make_repo(base / "repo")
    fleet = Fleet(repo, base / "keys", base / "home")
    with pytest.MonkeyPatch.context() as mp:
        for name in KEY_ENV:
            mp.delenv(name, raising=False)
        for key, value in fleet.env().items():
            mp.setenv(key, value)
        config_path(repo).write_text(admin_config().render())
        for name in ("alpha", "beta"):
            secrets.init_cluster(repo, name, inputs=test_inputs(name))
    yield base


@pytest.fixture
def fleet(pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    """A private copy of the pristine fleet, with the environment pointing at its keys (admin key included)."""
    base = tmp_path / "fleet"
    shutil.copytree(pristine, base, symlinks=True)
    fleet = Fleet(Repo(base / "repo"), base / "keys", base / "home")
    for key, value in fleet.env().items():
        monkeypatch.setenv(key, value)
    return fleet


def decrypted(fleet: Fleet, cluster: str, secret: str) -> dict:
    """The decrypted Secret as a mapping (kept in memory; tests assert on it without printing values)."""
    path = fleet.repo.secrets_dir(cluster) / f"{secret}.sops.yaml"
    return yaml.safe_load(decrypt(fleet.repo, path, KeyRing.discover(fleet.repo)))


def snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in {".git", ".tools"}]
        for name in files:
            path = Path(folder) / name
            out[str(path.relative_to(root))] = path.read_bytes()
    return out
