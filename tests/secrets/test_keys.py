"""Round trip, tampering and keys: sops with real age keys, and messages that say which key is expected."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from gitops import secrets
from gitops.age import KeyRing, PrivateKey, public_keys, short
from gitops.errors import SecretsError
from gitops.sops import decrypt, edit_command, encrypt
from gitops.sops_config import load

from .conftest import ROOT, Fleet, decrypted


def _path(fleet: Fleet, cluster: str = "alpha", name: str = "trigger-secrets"):
    return fleet.repo.secrets_dir(cluster) / f"{name}.sops.yaml"


def test_round_trip_returns_exactly_what_was_encrypted(fleet: Fleet) -> None:
    plain = "# note\napiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  A: TEST-ONLY-value\n  B: '42'\n"
    text = encrypt(fleet.repo, "secrets/alpha/x.sops.yaml", plain, load(fleet.repo).recipients("alpha"))
    assert "TEST-ONLY-value" not in text
    path = fleet.repo.secrets_dir("alpha") / "x.sops.yaml"
    path.write_text(text)
    assert yaml.safe_load(decrypt(fleet.repo, path, KeyRing.discover(fleet.repo))) == yaml.safe_load(plain)


def test_cluster_key_alone_opens_its_own_cluster_only(fleet: Fleet, monkeypatch) -> None:
    monkeypatch.delenv("SOPS_AGE_KEY_FILE")  # no admin key: only the cluster keys in the key folder
    monkeypatch.setenv("SOPS_AGE_KEY", (fleet.key_dir / "alpha.agekey").read_text())
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
    assert decrypted(fleet, "alpha", "trigger-secrets")["kind"] == "Secret"
    with pytest.raises(SecretsError, match="cluster beta"):
        decrypted(fleet, "beta", "trigger-secrets")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: re.sub(r"(ENCRYPTION_KEY: ENC\[AES256_GCM,data:)[^,]{4}", r"\1AAAA", t), "a value does not decrypt"),
        (lambda t: t.replace("name: trigger-secrets", "name: other-secrets"), "MAC mismatch"),
        (lambda t: re.sub(r"\n    SESSION_SECRET: ENC\[[^\n]*", "", t), "MAC mismatch"),
    ],
    ids=["ciphertext", "metadata", "deleted-key"],
)
def test_tampered_file_fails_with_clear_message(fleet: Fleet, change, expected: str) -> None:
    path = _path(fleet)
    original = path.read_text()
    path.write_text(change(original))
    assert path.read_text() != original
    with pytest.raises(SecretsError) as err:
        decrypt(fleet.repo, path, KeyRing.discover(fleet.repo))
    message = str(err.value)
    assert message.startswith("secrets/alpha/trigger-secrets.sops.yaml: " + expected)
    assert "changed outside sops" in message and "git checkout -- secrets/alpha/trigger-secrets.sops.yaml" in message
    assert "\n" not in message


def _expects_both_recipients(fleet: Fleet, message: str) -> None:
    config = load(fleet.repo)
    assert message.startswith("secrets/alpha/trigger-secrets.sops.yaml: no available age key can open it")
    assert f"{short(config.clusters['alpha'])} (cluster alpha)" in message
    assert f"{short(config.admins['test-admin'])} (admin test-admin)" in message
    assert "AGE-SECRET-KEY" not in message


def test_missing_key_message_names_the_expected_recipients(fleet: Fleet, monkeypatch) -> None:
    monkeypatch.delenv("SOPS_AGE_KEY_FILE")
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
    with pytest.raises(SecretsError) as err:
        decrypt(fleet.repo, _path(fleet), KeyRing.discover(fleet.repo))
    _expects_both_recipients(fleet, str(err.value))
    assert "no age private key found" in str(err.value)


def test_wrong_key_message_names_the_expected_and_the_found_keys(fleet: Fleet, monkeypatch, tmp_path) -> None:
    wrong = tmp_path / "wrong.agekey"
    wrong.write_text(subprocess.run([ROOT / ".tools/bin/age-keygen"], capture_output=True, text=True).stdout)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(wrong))
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
    with pytest.raises(SecretsError) as err:
        decrypt(fleet.repo, _path(fleet), KeyRing.discover(fleet.repo))
    _expects_both_recipients(fleet, str(err.value))
    wrong_public = public_keys(fleet.repo, PrivateKey(wrong.read_text()), "wrong")[0]
    assert f"$SOPS_AGE_KEY_FILE ({wrong}) -> {short(wrong_public)}" in str(err.value)


def test_wrong_key_is_reported_by_sops_itself_when_ring_is_empty(fleet: Fleet, monkeypatch) -> None:
    """With no key found the pre-check is skipped; sops' own failure (exit 128) gets the same message."""
    monkeypatch.delenv("SOPS_AGE_KEY_FILE")
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
    with pytest.raises(SecretsError) as err:
        decrypt(fleet.repo, _path(fleet), KeyRing(()))
    _expects_both_recipients(fleet, str(err.value))


def test_edit_goes_through_sops_and_stays_encrypted(fleet: Fleet, tmp_path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^\\(  *\\)REDIS_PORT: .*/\\1REDIS_PORT: \\"6390\\"/" "$1"\n')
    editor.chmod(0o700)
    path = _path(fleet, name="trigger-redis")
    argv, env = edit_command(fleet.repo, path, KeyRing.discover(fleet.repo))
    subprocess.run(argv, env={**os.environ, **env, "EDITOR": str(editor)}, check=True, capture_output=True)
    assert decrypted(fleet, "alpha", "trigger-redis")["stringData"]["REDIS_PORT"] == "6390"
    assert secrets.check_repo(fleet.repo).findings == []


def test_flux_key_manifest_is_the_sops_age_secret_with_the_cluster_key(fleet: Fleet) -> None:
    doc = yaml.safe_load(secrets.flux_key_manifest(fleet.repo, "alpha"))
    assert (doc["kind"], doc["metadata"]["name"], doc["metadata"]["namespace"]) == ("Secret", "sops-age", "flux-system")
    (key_name,) = doc["stringData"]
    assert key_name == "alpha.agekey"
    assert public_keys(fleet.repo, PrivateKey(doc["stringData"][key_name]), "x") == [load(fleet.repo).clusters["alpha"]]


def test_flux_key_without_the_private_key_says_where_it_was_expected(fleet: Fleet, monkeypatch) -> None:
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
    with pytest.raises(SecretsError, match=r"cluster alpha: its private key \(age1.*\) is not on this machine"):
        secrets.flux_key_manifest(fleet.repo, "alpha")


def test_argocd_setup_patches_repo_server_with_ksops_and_the_key(fleet: Fleet) -> None:
    script = secrets.argocd_setup(fleet.repo, "beta")
    patch = yaml.safe_load(script.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0])
    pod = patch["spec"]["template"]["spec"]
    assert pod["initContainers"][0]["image"].startswith("viaductoss/ksops:v")
    container = pod["containers"][0]
    assert container["name"] == "argocd-repo-server"
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/usr/local/bin/ksops", "/usr/local/bin/kustomize"}
    assert "--enable-alpha-plugins --enable-exec" in script and "AGE-SECRET-KEY" not in script
    argo_key = yaml.safe_load(secrets.argocd_key_manifest(fleet.repo, "beta"))
    assert argo_key["metadata"] == {"name": "sops-age", "namespace": "argocd"}
    assert container["env"] == [{"name": "SOPS_AGE_KEY_FILE", "value": "/home/argocd/.config/sops/age/keys.txt"}]
    with pytest.raises(SecretsError, match="flavour is 'flux'"):
        secrets.argocd_setup(fleet.repo, "alpha")
