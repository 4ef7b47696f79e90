"""secrets.check: the plaintext guard, credential scan and MAC verification; and the task's exit status."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from gitops import secrets
from gitops.sops import decrypt

from .conftest import ROOT, Fleet, decrypted

PLANTED_PASSWORD = "hunter" + "2-real-looking"  # built at run time so this source file stays clean


def _findings(fleet: Fleet) -> list[str]:
    return secrets.check(fleet.repo)


def test_check_passes_on_a_fresh_fleet(fleet: Fleet) -> None:
    report = secrets.check_repo(fleet.repo)
    assert report.findings == [] and report.notes == []


def test_check_catches_a_planted_plaintext_secret(fleet: Fleet) -> None:
    leak = fleet.repo.root / "clusters" / "alpha" / "extra.yaml"
    leak.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\ndata: {A: b}\n---\n"
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: leaked}}\nstringData: {{TOKEN: {PLANTED_PASSWORD}}}\n"
    )
    findings = _findings(fleet)
    assert findings == [
        "clusters/alpha/extra.yaml: Secret 'leaked' has plaintext stringData; delete it and create it with "
        "`invoke secrets.edit secrets/<cluster>/<name>.sops.yaml` (encrypted)"
    ]
    assert PLANTED_PASSWORD not in "\n".join(findings)


PLANTED = [
    ("aws_key = " + "AKIA" + "Q" * 16, "an AWS access key id"),
    ("token: " + "ghp_" + "a1B2" * 9, "a GitHub token"),
    ("-----BEGIN OPENSSH " + "PRIVATE KEY-----", "a PEM private key"),
    ("key = " + "AGE-SECRET-KEY-1" + "Q" * 58, "an age private key"),
    ("url: postgresql://admin:" + PLANTED_PASSWORD + "@db.example.com/app", "a URL with an embedded password"),
]


def test_check_catches_planted_credential_strings(fleet: Fleet) -> None:
    (fleet.repo.root / "notes.md").write_text("# Notes\n\n" + "".join(f"{line}\n" for line, _label in PLANTED))
    findings = _findings(fleet)
    assert len(findings) == len(PLANTED)
    for number, ((line, label), finding) in enumerate(zip(PLANTED, findings, strict=True), start=3):
        assert finding.startswith(f"notes.md:{number}: ") and label in finding
        assert line.split()[-1] not in finding, "a finding never quotes the value"


def test_check_accepts_placeholders_and_the_labelled_test_keys(fleet: Fleet) -> None:
    (fleet.repo.root / "docs.md").write_text(
        "postgresql://user:password@host/db\nredis://:TEST-ONLY-not-a-password@redis:6379\n"
        "postgresql://trigger:${DB_PASSWORD}@db/trigger\nredis://user:pw@your-redis-host:port\n"
    )
    keys = fleet.repo.root / "tests" / "keys"
    keys.mkdir(parents=True)
    (keys / "TEST-ONLY-x.agekey").write_text("# TEST ONLY key\n" + "AGE-SECRET-KEY-1" + "Q" * 58 + "\n")
    (keys / "unlabelled.agekey").write_text("AGE-SECRET-KEY-1" + "Q" * 58 + "\n")
    assert _findings(fleet) == [
        "tests/keys/unlabelled.agekey:1: looks like an age private key; remove it (and revoke it if it was real)"
    ]


def test_check_catches_hand_edited_and_unsigned_files_in_secrets(fleet: Fleet) -> None:
    path = fleet.repo.secrets_dir("alpha") / "trigger-redis.sops.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["stringData"]["REDIS_PORT"] = "6379"
    del doc["sops"]["mac"]
    path.write_text(yaml.safe_dump(doc))
    (fleet.repo.secrets_dir("alpha") / "notes.txt").write_text("hello\n")
    (fleet.repo.secrets_dir("alpha") / "plain.sops.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nstringData: {A: b}\n"
    )
    findings = "\n".join(_findings(fleet))
    assert "secrets/alpha/trigger-redis.sops.yaml: stringData.REDIS_PORT is not encrypted" in findings
    assert "secrets/alpha/trigger-redis.sops.yaml: sops.mac is missing" in findings
    assert "secrets/alpha/notes.txt: not a *.sops.yaml file" in findings
    assert "secrets/alpha/plain.sops.yaml: not SOPS-encrypted (no sops: block)" in findings


def test_check_verifies_macs_when_a_key_is_available(fleet: Fleet, monkeypatch) -> None:
    path = fleet.repo.secrets_dir("beta") / "beta-db.sops.yaml"
    path.write_text(path.read_text().replace("name: beta-db", "name: beta-db2"))
    assert _findings(fleet) == [
        "secrets/beta/beta-db.sops.yaml: MAC mismatch: the file was changed outside sops (tampered or hand-edited); "
        "restore it with `git checkout -- secrets/beta/beta-db.sops.yaml`, or delete it and re-create it with "
        "`invoke secrets.init`"
    ]
    monkeypatch.delenv("SOPS_AGE_KEY_FILE")
    monkeypatch.setenv("TRIGGER_AGE_KEY_DIR", str(fleet.key_dir / "none"))
    report = secrets.check_repo(fleet.repo)
    assert report.findings == [] and report.notes == [
        "7 secret file(s) not decrypted (no matching age key here): their MACs were not verified"
    ]


def test_check_catches_a_wrong_length_encryption_key(fleet: Fleet) -> None:
    from gitops.age import KeyRing
    from gitops.sops import encrypt
    from gitops.sops_config import load

    path = fleet.repo.secrets_dir("alpha") / "trigger-secrets.sops.yaml"
    doc = yaml.safe_load(decrypt(fleet.repo, path, KeyRing.discover(fleet.repo)))
    doc["stringData"]["ENCRYPTION_KEY"] = "ab" * 32  # 64 characters: breaks CLI login ("Invalid key length")
    path.write_text(
        encrypt(fleet.repo, fleet.repo.rel(path), yaml.safe_dump(doc), load(fleet.repo).recipients("alpha"))
    )
    assert _findings(fleet) == [
        "secrets/alpha/trigger-secrets.sops.yaml: ENCRYPTION_KEY is 64 characters; it must be exactly 32 "
        "(16 random bytes as hex); fix it with `invoke secrets.rotate --key KEY`"
    ]


def test_check_flags_recipients_that_drifted_from_sops_yaml(fleet: Fleet) -> None:
    (fleet.repo.root / ".sops.yaml").write_text(
        (fleet.repo.root / ".sops.yaml").read_text().replace("          - *admin_test-admin\n", "", 1)
    )
    findings = _findings(fleet)
    assert findings[0].startswith(".sops.yaml: differs from what its keys: section generates")
    assert len(findings) == 1, "the keys: section still matches every file"


def _invoke(fleet: Fleet, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOPS_DISABLE_VERSION_CHECK": "true", **extra}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args], cwd=fleet.repo.root, env=env, capture_output=True, text=True
    )


def test_check_task_exits_non_zero_listing_each_finding(fleet: Fleet) -> None:
    ok = _invoke(fleet, "secrets.check")
    assert (ok.returncode, ok.stdout) == (0, "secrets.check: ok\n"), ok.stderr
    (fleet.repo.root / "leak.yaml").write_text(
        f"kind: Secret\nmetadata: {{name: a}}\ndata: {{A: {PLANTED_PASSWORD}}}\n"
    )
    (fleet.repo.root / "leak.md").write_text("AKIA" + "Z" * 16 + "\n")
    bad = _invoke(fleet, "secrets.check")
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert lines[0].startswith("leak.md:1: looks like an AWS access key id")
    assert lines[1].startswith("leak.yaml: Secret 'a' has plaintext data")
    assert lines[-1] == "error: secrets.check: 2 finding(s) above; fix each as it says"
    assert PLANTED_PASSWORD not in bad.stdout + bad.stderr


def test_flux_key_task_prints_the_sops_age_secret_when_piped(fleet: Fleet) -> None:
    piped = _invoke(fleet, "secrets.flux-key", "--cluster", "alpha")
    assert piped.returncode == 0 and yaml.safe_load(piped.stdout)["metadata"]["name"] == "sops-age"
    assert "AGE-SECRET-KEY" not in piped.stderr


def test_rotate_task_prints_which_workloads_roll(fleet: Fleet) -> None:
    out = _invoke(fleet, "secrets.rotate", "--cluster", "alpha", "--key", "PROVIDER_SECRET")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == [
        "secrets.rotate: rotated PROVIDER_SECRET in secrets/alpha/trigger-secrets.sops.yaml",
        "  note: PROVIDER_SECRET: shared with the kubernetes provider",
    ]
    assert "  workloads that read them and will roll: provider, webapp, worker" in out.stdout


def test_edit_task_creates_a_new_secret_encrypted_and_listed(fleet: Fleet, tmp_path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/REPLACE_ME: .*/SMTP_PASSWORD: TEST-ONLY-smtp/" "$1"\n')
    editor.chmod(0o700)
    out = _invoke(fleet, "secrets.edit", "secrets/alpha/smtp.sops.yaml", EDITOR=str(editor))
    assert out.returncode == 0, out.stderr
    assert "secrets.edit: created secrets/alpha/smtp.sops.yaml" in out.stdout
    text = (fleet.repo.secrets_dir("alpha") / "smtp.sops.yaml").read_text()
    assert "SMTP_PASSWORD: ENC[" in text and "TEST-ONLY-smtp" not in text
    assert decrypted(fleet, "alpha", "smtp")["stringData"] == {"SMTP_PASSWORD": "TEST-ONLY-smtp"}
    kustomization = yaml.safe_load((fleet.repo.secrets_dir("alpha") / "kustomization.yaml").read_text())
    assert "smtp.sops.yaml" in kustomization["resources"]
    assert secrets.check(fleet.repo) == []


def test_edit_task_without_changes_leaves_the_file_byte_identical(fleet: Fleet) -> None:
    path = fleet.repo.secrets_dir("alpha") / "trigger-redis.sops.yaml"
    before = path.read_bytes()
    out = _invoke(fleet, "secrets.edit", "secrets/alpha/trigger-redis.sops.yaml", EDITOR="true")
    assert (out.returncode, out.stdout) == (0, "secrets.edit: secrets/alpha/trigger-redis.sops.yaml unchanged\n")
    assert path.read_bytes() == before
