"""The invoke tasks as people run them: one-line errors, cluster.new, status, doctor, tools.install."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
import yaml

from gitops import tools
from gitops.errors import ToolError
from gitops.paths import Repo
from tests.conftest import tree_snapshot

KEYS = Path(__file__).parent / "keys"


def invoke(repo: Repo, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOPS_AGE", "TRIGGER_"))}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=repo.root,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_a_broken_cluster_yaml_gives_one_line_and_changes_nothing(repo_copy):
    path = repo_copy.cluster_file("staging")
    path.write_text(path.read_text().replace("tls: false", "tls: 'yes'"))
    before = tree_snapshot(repo_copy.root)
    out = invoke(repo_copy, "render", "--force")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "error: clusters/staging/cluster.yaml: redis.tls: expected bool, got str 'yes'"
    ]
    assert "Traceback" not in out.stderr
    assert tree_snapshot(repo_copy.root) == before


def test_a_missing_required_option_says_how_to_pass_it(repo_copy):
    out = invoke(repo_copy, "bump")
    assert out.returncode == 1
    assert out.stderr.strip() == "error: --version is required, e.g. `invoke bump --version 3.3.18`"


def test_status_json_lists_every_cluster(repo_copy):
    out = invoke(repo_copy, "status", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["cluster"]: r for r in json.loads(out.stdout)}
    assert rows["staging"] == {
        "cluster": "staging",
        "flavour": "flux",
        "ring": "staging",
        "version": "3.3.18",
        "chart": "3.3.18",
        "output": "fresh",
        "secrets": "ok",
    }
    assert rows["production"]["flavour"] == "argocd"


def test_status_shows_a_stale_cluster(repo_copy):
    path = repo_copy.cluster_file("staging")
    path.write_text(path.read_text().replace("replicas: 1", "replicas: 2"))
    out = invoke(repo_copy, "status")
    line = next(x for x in out.stdout.splitlines() if x.startswith("staging"))
    assert line.split()[-2:] == ["stale", "ok"]


@pytest.fixture
def new_cluster_env(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "TRIGGER_AGE_KEY_DIR": str(tmp_path / "keys"),
        "TRIGGER_DATABASE_URL": "postgresql://trigger:TEST-ONLY-not-a-password@db.example.invalid:5432/trigger",
        "TRIGGER_DIRECT_URL": "postgresql://trigger:TEST-ONLY-not-a-password@db.example.invalid:5432/trigger",
        "TRIGGER_REDIS_URL": "redis://:TEST-ONLY-not-a-password@redis.example.invalid:6379",
    }


def test_cluster_new_scaffolds_a_valid_config_its_secrets_and_its_render(repo_copy, new_cluster_env):
    out = invoke(
        repo_copy,
        "cluster.new",
        "--name",
        "eu-1",
        "--flavour",
        "argocd",
        "--ring",
        "staging",
        "--public-url",
        "https://trigger.eu-1.example.com",
        env=new_cluster_env,
    )
    assert out.returncode == 0, out.stderr
    assert "cluster.new: clusters/eu-1/ created" in out.stdout
    config = yaml.safe_load(repo_copy.cluster_file("eu-1").read_text())
    assert (config["flavour"], config["version"], config["ring"]) == ("argocd", "3.3.18", "staging")
    assert (repo_copy.cluster_dir("eu-1") / "sync" / "argocd-application.yaml").is_file()
    secret_files = sorted(p.name for p in repo_copy.secrets_dir("eu-1").iterdir())
    assert "trigger-secrets.sops.yaml" in secret_files and "kustomization.yaml" in secret_files
    assert "eu-1" in (repo_copy.root / ".sops.yaml").read_text()
    assert invoke(repo_copy, "render", "--check").returncode == 0
    key = Path(new_cluster_env["TRIGGER_AGE_KEY_DIR"]) / "eu-1.agekey"
    assert key.stat().st_mode & 0o777 == 0o600
    assert not list(repo_copy.root.rglob("eu-1.agekey"))


def test_cluster_new_that_fails_leaves_the_repository_as_it_was(repo_copy, new_cluster_env):
    env = {k: v for k, v in new_cluster_env.items() if k != "TRIGGER_REDIS_URL"}  # no value, no terminal to ask
    before = tree_snapshot(repo_copy.root)
    out = invoke(repo_copy, "cluster.new", "--name", "eu-2", "--flavour", "flux", env=env)
    assert out.returncode == 1
    assert out.stderr.startswith("error: ") and "redis" in out.stderr.lower()
    assert tree_snapshot(repo_copy.root) == before


def test_cluster_new_refuses_an_existing_name(repo_copy):
    out = invoke(repo_copy, "cluster.new", "--name", "staging", "--flavour", "flux")
    assert out.returncode == 1
    assert "error: cluster 'staging' already exists (clusters/staging); pick another name" in out.stderr


def test_doctor_names_the_missing_tool_and_the_command_that_fixes_it(tmp_path, repo):
    fake = tmp_path / "repo"
    (fake / ".tools" / "bin").mkdir(parents=True)
    (fake / "tools.toml").write_text((repo.root / "tools.toml").read_text())
    for name in ("helm3", "helm4", "age", "age-keygen", "kubectl", "actionlint", "kind"):
        (fake / ".tools" / "bin" / name).symlink_to(repo.tools_bin / name)
    (fake / "apps" / "trigger-dev").mkdir(parents=True)
    (fake / "tasks.py").write_text((repo.root / "tasks.py").read_text())
    out = subprocess.run(
        [sys.executable, "-m", "invoke", "doctor"],
        cwd=fake,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo.root)},
        check=False,
    )
    assert out.returncode == 1
    sops_line = next(line for line in out.stdout.splitlines() if line.startswith("sops"))
    assert sops_line.split() == [
        "sops",
        "3.11.0",
        "not",
        "installed",
        "MISSING",
        "invoke",
        "tools.install",
        "--tool",
        "sops",
    ]
    assert "doctor: 1 tool(s) need attention" in out.stderr


class _Releases(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 - http.server API
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        if body is not None:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def release_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Releases)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _tarball(member: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _pin(url: str, sha: str) -> tools.Pin:
    return tools.Pin(
        name="demo",
        version="1.0.0",
        check=("--version",),
        expect="demo 1.0.0",
        release_url=url + "/demo-v{version}.tar.gz",
        release_member="bin/demo",
        sha256=sha,
    )


SCRIPT = b"#!/bin/sh\necho demo 1.0.0\n"


def test_a_verified_release_download_installs_and_a_second_run_does_nothing(tmp_path, release_server):
    archive = _tarball("bin/demo", SCRIPT)
    _Releases.files = {"/demo-v1.0.0.tar.gz": archive}
    repo = Repo(tmp_path)
    pin = _pin(release_server, hashlib.sha256(archive).hexdigest())
    path, how = tools.install(repo, pin)
    assert how == "release download (sha256 verified)"
    assert path.read_bytes() == SCRIPT and tools.inspect(repo, pin).ok
    assert tools.install(repo, pin)[1] == "already installed"


def test_a_download_whose_checksum_differs_is_refused(tmp_path, release_server):
    archive = _tarball("bin/demo", SCRIPT)
    _Releases.files = {"/demo-v1.0.0.tar.gz": archive}
    repo = Repo(tmp_path)
    with pytest.raises(
        ToolError, match=r"demo: could not install version 1.0.0: demo: .* has sha256 [0-9a-f]{64}, but"
    ):
        tools.install(repo, _pin(release_server, "0" * 64))
    assert not (repo.tools_bin / "demo").exists()


def test_pin_sums_records_the_release_checksum_and_install_then_verifies_it(tmp_path, release_server, repo):
    archive = _tarball("linux-amd64/helm", SCRIPT)
    _Releases.files = {"/helm-v3.21.4-linux-amd64.tar.gz": archive}
    root = tmp_path / "repo"
    root.mkdir()
    text = (repo.root / "tools.toml").read_text().replace("https://get.helm.sh", release_server)
    (root / "tools.toml").write_text(text)
    fake = Repo(root)
    sums = tools.pin_sums(fake, ["helm3"])
    assert sums == {"helm3": hashlib.sha256(archive).hexdigest()}
    after = (root / "tools.toml").read_text()
    changed = [line for line in after.splitlines() if line not in text.splitlines()]
    assert changed == [f'sha256 = "{sums["helm3"]}"']
    pin = tools.load_pins(fake)["helm3"]
    assert pin.sha256 == sums["helm3"]
    assert tools.fetch_release(pin) == SCRIPT
