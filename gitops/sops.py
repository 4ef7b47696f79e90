"""The real sops binary, behind three calls: encrypt (from memory), decrypt (to memory), read metadata.

    text = encrypt(repo, "secrets/staging/trigger-secrets.sops.yaml", plaintext, recipients)
    plain = decrypt(repo, repo.root / "secrets/staging/trigger-secrets.sops.yaml", KeyRing.discover(repo))
    meta = metadata(path)                  # recipients, MAC, lastmodified: readable without any key

Plaintext goes to sops on stdin and comes back on stdout; it is never written to disk here and never
appears in an error message. Failures become :class:`SecretsError` naming the file, the cause and
the fix (which key is expected, or that the file was changed outside sops).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from gitops.age import KeyRing, short
from gitops.command import run
from gitops.errors import SecretsError
from gitops.paths import Repo
from gitops.sops_config import ENCRYPTED_REGEX, load
from gitops.tools import tool_path

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ENC_PREFIX = "ENC["
# sops exit codes (cmd/sops/codes): 51 MAC mismatch, 128 no key could open the data key, 25 a value would not decrypt.
EXIT_MAC_MISMATCH = 51
EXIT_NO_KEY = 128
EXIT_BAD_VALUE = 25


def sops_bin(repo: Repo) -> str:
    return str(tool_path(repo, "sops"))


@dataclass(frozen=True)
class SopsMeta:
    recipients: tuple[str, ...]
    mac: str
    lastmodified: str
    encrypted_regex: str


def load_document(path: Path, where: str) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        raise SecretsError(f"{where}: not valid YAML; restore it from git (`git checkout -- {where}`)") from None
    except FileNotFoundError:
        raise SecretsError(f"{where}: file not found") from None
    if not isinstance(data, dict):
        raise SecretsError(f"{where}: expected one SOPS-encrypted Kubernetes Secret")
    return data


def metadata_of(data: dict, where: str) -> SopsMeta:
    sops = data.get("sops")
    if not isinstance(sops, dict):
        raise SecretsError(
            f"{where}: not SOPS-encrypted (no sops: block); encrypt it with `invoke secrets.edit {where}`"
        )
    age = sops.get("age") or []
    recipients = tuple(entry.get("recipient", "") for entry in age if isinstance(entry, dict))
    return SopsMeta(
        recipients=recipients,
        mac=str(sops.get("mac") or ""),
        lastmodified=str(sops.get("lastmodified") or ""),
        encrypted_regex=str(sops.get("encrypted_regex") or ""),
    )


def metadata(path: Path, where: str | None = None) -> SopsMeta:
    where = where or str(path)
    return metadata_of(load_document(path, where), where)


def encrypt(repo: Repo, rel_path: str, plaintext: str, recipients: list[str]) -> str:
    """Encrypt a YAML document held in memory to ``recipients``; returns the encrypted text.

    The recipients are passed explicitly (they come from the same model `.sops.yaml` is written from),
    so a `.sops.yaml` staged in the same transaction does not need to be on disk yet.
    """
    if not recipients:
        raise SecretsError(f"{rel_path}: no age recipients to encrypt to; run `invoke secrets.init`")
    argv = [
        sops_bin(repo), "--config", "/dev/null", "encrypt",
        "--filename-override", rel_path,
        "--input-type", "yaml", "--output-type", "yaml",
        "--encrypted-regex", ENCRYPTED_REGEX,
        "--age", ",".join(recipients),
    ]  # fmt: skip
    result = run(argv, cwd=repo.root, input_text=plaintext, ok_codes=range(256), what=f"sops encrypt {rel_path}")
    if result.returncode != 0:
        raise SecretsError(
            f"{rel_path}: sops could not encrypt it (exit {result.returncode}): {_reason(result.stderr)}"
        )
    return result.stdout


def decrypt(repo: Repo, path: Path, ring: KeyRing) -> str:
    """The decrypted YAML (in memory). Checks first that some key here is one of the file's recipients."""
    where = repo.rel(path)
    meta = metadata(path, where)
    if ring.sources and not any(ring.holds(r) for r in meta.recipients):
        raise SecretsError(f"{where}: {_expected(repo, meta)}; {ring.describe()}")
    argv = [sops_bin(repo), "--config", "/dev/null", "decrypt", "--input-type", "yaml", "--output-type", "yaml", path]
    result = run(argv, cwd=repo.root, env=ring.sops_env(), ok_codes=range(256), what=f"sops decrypt {where}")
    if result.returncode == 0:
        return result.stdout
    if result.returncode == EXIT_NO_KEY:
        raise SecretsError(f"{where}: {_expected(repo, meta)}; {ring.describe()}")
    if result.returncode in (EXIT_MAC_MISMATCH, EXIT_BAD_VALUE):
        raise SecretsError(
            f"{where}: {'MAC mismatch' if result.returncode == EXIT_MAC_MISMATCH else 'a value does not decrypt'}: "
            f"the file was changed outside sops (tampered or hand-edited); restore it with `git checkout -- {where}`, "
            "or delete it and re-create it with `invoke secrets.init`"
        )
    raise SecretsError(f"{where}: sops could not decrypt it (exit {result.returncode}): {_reason(result.stderr)}")


def _expected(repo: Repo, meta: SopsMeta) -> str:
    config = load(repo)
    names = ", ".join(f"{short(r)} ({config.owner(r)})" for r in meta.recipients) or "(no age recipients)"
    return f"no available age key can open it; it expects the private key of one of: {names}"


def _reason(stderr: str) -> str:
    """sops' first meaningful stderr line; values never appear there, MAC digests are cut off."""
    for line in stderr.splitlines():
        line = line.strip()
        if line and not line.startswith("[CMD]"):
            return line.split(". File has")[0][:200]
    return "(no output)"


def edit_command(repo: Repo, path: Path, ring: KeyRing) -> tuple[list[str], dict[str, str]]:
    """argv and environment for an interactive `sops edit` (sops keeps its 0600 temp file outside the repo)."""
    where = repo.rel(path)
    meta = metadata(path, where)
    if ring.sources and not any(ring.holds(r) for r in meta.recipients):
        raise SecretsError(f"{where}: {_expected(repo, meta)}; {ring.describe()}")
    return [sops_bin(repo), "--config", "/dev/null", "edit", str(path)], ring.sops_env()
