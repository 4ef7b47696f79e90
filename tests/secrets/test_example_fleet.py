"""The committed example fleet: its secrets open with the committed TEST keys and pass every check."""

from __future__ import annotations

import pytest
import yaml

from gitops import secrets
from gitops.age import KeyRing, PrivateKey, public_keys
from gitops.paths import Repo
from gitops.secret_values import format_problems
from gitops.sops import decrypt
from gitops.sops_config import load

from .conftest import ROOT, Fleet

TEST_KEYS = ROOT / "tests" / "keys"


def test_example_fleet_opens_with_each_clusters_test_key(monkeypatch) -> None:
    repo = Repo(ROOT)
    config = load(repo)
    test_publics = {
        public_keys(repo, PrivateKey(p.read_text()), p.name)[0]: p for p in sorted(TEST_KEYS.glob("TEST-ONLY-*.agekey"))
    }
    clusters = [name for name, key in sorted(config.clusters.items()) if key in test_publics]
    if not clusters:
        pytest.skip("the example fleet was adopted: no cluster uses a committed TEST key any more")
    for name in clusters:
        key_file = test_publics[config.clusters[name]]
        assert "TEST ONLY" in key_file.read_text() and "TEST" in key_file.name
        monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))  # that cluster's key only
        ring = KeyRing.discover(repo)
        files = secrets.secret_files(repo, name)
        assert {p.name for p in files} >= {"trigger-secrets.sops.yaml"}
        for path in files:
            doc = yaml.safe_load(decrypt(repo, path, ring))
            assert doc["kind"] == "Secret", path.name
            if path.name == "trigger-secrets.sops.yaml":
                assert format_problems(doc["stringData"]) == []


def test_health_summarises_each_cluster_for_status(fleet: Fleet) -> None:
    assert secrets.health(fleet.repo, "alpha") == "ok"
    (fleet.repo.secrets_dir("beta") / "registry-trigger.sops.yaml").unlink()
    assert secrets.health(fleet.repo, "beta") == "missing registry-trigger"


def test_fingerprint_is_stable_without_changes(fleet: Fleet) -> None:
    first = secrets.fingerprint(fleet.repo, "alpha")
    assert len(first) == 16 and first == secrets.fingerprint(fleet.repo, "alpha")
    assert first != secrets.fingerprint(fleet.repo, "beta")
