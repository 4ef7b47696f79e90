"""secrets.rotate (new values, same formats, who rolls) and secrets.recipients (a removed key is locked out)."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
import yaml

from gitops import secrets
from gitops.age import KeyRing, PrivateKey, public_keys
from gitops.errors import SecretsError
from gitops.paths import Repo
from gitops.secret_values import format_problems
from gitops.sops import decrypt
from gitops.sops_config import load

from .conftest import ROOT, Fleet, decrypted, snapshot


def _digests(data: dict) -> dict[str, str]:
    """Compare values through digests so a failing assertion never prints one."""
    return {k: hashlib.sha256(v.encode()).hexdigest() for k, v in data.items()}


def test_rotate_changes_values_and_keeps_formats(fleet: Fleet) -> None:
    before = _digests(decrypted(fleet, "alpha", "trigger-secrets")["stringData"])
    fingerprint = secrets.fingerprint(fleet.repo, "alpha")
    result = secrets.rotate(fleet.repo, "alpha")
    data = decrypted(fleet, "alpha", "trigger-secrets")["stringData"]
    after = _digests(data)
    changed = sorted(k for k in after if after[k] != before[k])
    assert changed == sorted(["SESSION_SECRET", "MAGIC_LINK_SECRET", "PROVIDER_SECRET", "COORDINATOR_SECRET"])
    assert format_problems(data) == []
    assert list(result.keys) == ["SESSION_SECRET", "MAGIC_LINK_SECRET", "PROVIDER_SECRET", "COORDINATOR_SECRET"]
    assert result.readers == ("coordinator", "provider", "webapp", "worker")
    assert secrets.fingerprint(fleet.repo, "alpha") != fingerprint
    assert secrets.check_repo(fleet.repo).findings == []


def test_rotate_touches_encryption_key_only_when_named(fleet: Fleet) -> None:
    before = _digests(decrypted(fleet, "alpha", "trigger-secrets")["stringData"])
    result = secrets.rotate(fleet.repo, "alpha", ["ENCRYPTION_KEY"])
    data = decrypted(fleet, "alpha", "trigger-secrets")["stringData"]
    after = _digests(data)
    assert [k for k in after if after[k] != before[k]] == ["ENCRYPTION_KEY"]
    length = len(data["ENCRYPTION_KEY"])
    assert length == 32
    assert any("can no longer be read" in note for note in result.notes)


def test_rotate_refuses_values_that_come_from_outside(fleet: Fleet) -> None:
    before = snapshot(fleet.repo.root)
    with pytest.raises(SecretsError, match="--key DATABASE_URL: not a generated value.*secrets.edit"):
        secrets.rotate(fleet.repo, "alpha", ["DATABASE_URL"])
    assert snapshot(fleet.repo.root) == before


def test_rotate_dry_run_writes_nothing(fleet: Fleet) -> None:
    before = snapshot(fleet.repo.root)
    secrets.rotate(fleet.repo, "alpha", dry_run=True)
    assert snapshot(fleet.repo.root) == before


def _new_key(tmp_path, name: str):
    path = tmp_path / f"{name}.agekey"
    path.write_text(subprocess.run([ROOT / ".tools/bin/age-keygen"], capture_output=True, text=True).stdout)
    return path, public_keys(Repo(ROOT), PrivateKey(path.read_text()), name)[0]


def _opens(fleet: Fleet, key_file, monkeypatch, cluster: str = "alpha") -> bool:
    with monkeypatch.context() as mp:
        mp.setenv("SOPS_AGE_KEY_FILE", str(key_file))
        mp.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
        try:
            decrypt(
                fleet.repo, fleet.repo.secrets_dir(cluster) / "trigger-secrets.sops.yaml", KeyRing.discover(fleet.repo)
            )
        except SecretsError:
            return False
        return True


def test_added_admin_opens_every_cluster_and_removed_admin_cannot_open_rekeyed_files(
    fleet: Fleet, tmp_path, monkeypatch
) -> None:
    bob_file, bob = _new_key(tmp_path, "bob")
    assert not _opens(fleet, bob_file, monkeypatch)
    changed = secrets.add_recipient(fleet.repo, bob, "bob")
    assert len([p for p in changed if "secrets" in p.parts]) == 7
    assert load(fleet.repo).admins["bob"] == bob
    assert _opens(fleet, bob_file, monkeypatch, "alpha") and _opens(fleet, bob_file, monkeypatch, "beta")
    old_copy = (fleet.repo.secrets_dir("alpha") / "trigger-secrets.sops.yaml").read_text()

    secrets.remove_recipient(fleet.repo, "bob")
    assert "bob" not in load(fleet.repo).admins
    assert not _opens(fleet, bob_file, monkeypatch, "alpha") and not _opens(fleet, bob_file, monkeypatch, "beta")
    new_doc = yaml.safe_load((fleet.repo.secrets_dir("alpha") / "trigger-secrets.sops.yaml").read_text())
    assert bob not in {r["recipient"] for r in new_doc["sops"]["age"]}
    assert new_doc["sops"]["age"] != yaml.safe_load(old_copy)["sops"]["age"], "fresh data key after removal"
    assert _opens(fleet, fleet.key_dir / "alpha.agekey", monkeypatch), "the cluster key still opens its files"
    assert secrets.check_repo(fleet.repo).findings == []


def test_recipients_refuse_a_private_key_without_echoing_it(fleet: Fleet, tmp_path) -> None:
    key_file, _public = _new_key(tmp_path, "oops")
    private_line = next(line for line in key_file.read_text().splitlines() if line.startswith("AGE-SECRET-KEY"))
    with pytest.raises(SecretsError) as err:
        secrets.add_recipient(fleet.repo, private_line, "oops")
    assert "not an age public key" in str(err.value) and private_line not in str(err.value)


def test_remove_refuses_a_cluster_key_and_unknown_admins(fleet: Fleet) -> None:
    with pytest.raises(SecretsError, match="cluster alpha's key; replace it with"):
        secrets.remove_recipient(fleet.repo, load(fleet.repo).clusters["alpha"])
    with pytest.raises(SecretsError, match="no such admin"):
        secrets.remove_recipient(fleet.repo, "nobody")


def test_new_cluster_key_rekeys_that_cluster_and_locks_out_the_old_key(fleet: Fleet, tmp_path, monkeypatch) -> None:
    old_key = tmp_path / "old-alpha.agekey"
    (fleet.key_dir / "alpha.agekey").rename(old_key)
    old_public = load(fleet.repo).clusters["alpha"]
    beta_before = snapshot(fleet.repo.secrets_dir("beta"))
    secrets.new_cluster_key(fleet.repo, "alpha")
    assert snapshot(fleet.repo.secrets_dir("beta")) == beta_before, "other clusters are not re-keyed"
    assert load(fleet.repo).clusters["alpha"] != old_public
    assert not _opens(fleet, old_key, monkeypatch)
    assert _opens(fleet, fleet.key_dir / "alpha.agekey", monkeypatch)
    assert secrets.check_repo(fleet.repo).findings == []


def test_rekey_that_cannot_open_a_file_changes_nothing(fleet: Fleet, tmp_path, monkeypatch) -> None:
    _bob_file, bob = _new_key(tmp_path, "bob")
    monkeypatch.delenv("SOPS_AGE_KEY_FILE")  # only the cluster keys: alpha and beta open, but not a planted file
    (fleet.repo.secrets_dir("alpha") / "foreign.sops.yaml").write_text(
        (fleet.repo.secrets_dir("beta") / "beta-db.sops.yaml").read_text()
    )
    (fleet.key_dir / "beta.agekey").unlink()
    before, keys_before = snapshot(fleet.repo.root), snapshot(fleet.key_dir)
    with pytest.raises(SecretsError, match="no available age key can open it"):
        secrets.add_recipient(fleet.repo, bob, "bob")
    assert snapshot(fleet.repo.root) == before and snapshot(fleet.key_dir) == keys_before
