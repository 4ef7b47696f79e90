"""age keys: generate key pairs, derive public keys, and find the private keys this machine holds.

    pair = generate_key_pair(repo)              # real age-keygen; pair.private never printed
    ring = KeyRing.discover(repo)               # SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, keys.txt, the cluster key dir
    ring.holds("age1...")                       # True when some private key here opens that recipient

Private keys stay in memory or in 0600 files outside the repository. Where they are looked for
(in this order) is described by :func:`KeyRing.discover`; nothing here ever prints a private key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from gitops.command import run
from gitops.errors import SecretsError
from gitops.paths import Repo
from gitops.tools import tool_path

RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
IDENTITY = re.compile(r"AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}")
KEY_DIR_ENV = "TRIGGER_AGE_KEY_DIR"
TEST_MARK = "TEST ONLY"


@dataclass(frozen=True)
class PrivateKey:
    """An age identity held in memory. ``repr``/``str`` never show it."""

    _text: str = field(repr=False)

    def reveal(self) -> str:
        return self._text

    def __str__(self) -> str:
        return "<age private key>"


@dataclass(frozen=True)
class KeyPair:
    public: str
    private: PrivateKey


@dataclass(frozen=True)
class IdentitySource:
    """One place private keys were found: a label for messages, and the public keys they open."""

    label: str
    publics: tuple[str, ...]
    text: PrivateKey


def age_keygen(repo: Repo) -> str:
    """The pinned age-keygen in .tools/bin (a ToolError naming `invoke tools.install` if it is missing)."""
    return str(tool_path(repo, "age-keygen"))


def validate_recipient(value: str, where: str) -> str:
    value = value.strip()
    if not RECIPIENT.match(value):
        shown = value if not IDENTITY.search(value.upper()) else "(a private key!)"
        raise SecretsError(
            f"{where}: {shown[:70]!r} is not an age public key; give the age1... line that "
            "`age-keygen -y KEYFILE` prints (never the AGE-SECRET-KEY line)"
        )
    return value


def generate_key_pair(repo: Repo, comment: str = "") -> KeyPair:
    """A fresh X25519 key pair from the real age-keygen (its output never touches the disk here)."""
    result = run([age_keygen(repo)], ok_codes=range(256), what="age-keygen")
    if result.returncode != 0:  # never echo its stdout: it may hold a key
        raise SecretsError(f"age-keygen failed (exit {result.returncode}); check `invoke doctor`")
    text = result.stdout
    if comment:
        text = "".join(f"# {line}\n" for line in comment.splitlines()) + text
    publics = public_keys(repo, PrivateKey(text), "new key")
    return KeyPair(publics[0], PrivateKey(text))


def public_keys(repo: Repo, key: PrivateKey, label: str) -> list[str]:
    """The recipients (public keys) of every identity in ``key`` (age-keygen -y, via stdin)."""
    if not IDENTITY.search(key.reveal()):
        return []
    result = run([age_keygen(repo), "-y"], input_text=key.reveal(), ok_codes=range(256), what="age-keygen -y")
    if result.returncode != 0:
        raise SecretsError(f"{label}: not a valid age identity file (age-keygen -y refused it); regenerate it")
    return [line.strip() for line in result.stdout.splitlines() if RECIPIENT.match(line.strip())]


def default_sops_key_file() -> Path:
    """Where sops looks for age keys by default on Linux: $XDG_CONFIG_HOME/sops/age/keys.txt."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sops" / "age" / "keys.txt"


def cluster_key_dir() -> Path:
    """Where ``secrets.init`` keeps cluster private keys: $TRIGGER_AGE_KEY_DIR, else ~/.config/trigger-gitops/age."""
    explicit = os.environ.get(KEY_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser().resolve()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return (Path(base) / "trigger-gitops" / "age").resolve()


def cluster_key_file(name: str) -> Path:
    return cluster_key_dir() / f"{name}.agekey"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return None


@dataclass(frozen=True)
class KeyRing:
    """Every private age key this process can use, with where each came from."""

    sources: tuple[IdentitySource, ...]

    @classmethod
    def discover(cls, repo: Repo) -> KeyRing:
        """Look in $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, sops' default keys.txt, then $TRIGGER_AGE_KEY_DIR/*.agekey."""
        found: list[tuple[str, str]] = []
        if os.environ.get("SOPS_AGE_KEY"):
            found.append(("$SOPS_AGE_KEY", os.environ["SOPS_AGE_KEY"]))
        candidates: list[tuple[str, Path]] = []
        if os.environ.get("SOPS_AGE_KEY_FILE"):
            candidates.append(("$SOPS_AGE_KEY_FILE", Path(os.environ["SOPS_AGE_KEY_FILE"]).expanduser()))
        candidates.append(("sops keys.txt", default_sops_key_file()))
        key_dir = cluster_key_dir()
        if key_dir.is_dir():
            candidates += [(f"${KEY_DIR_ENV}", p) for p in sorted(key_dir.glob("*.agekey"))]
        for label, path in candidates:
            text = _read(path)
            if text is not None:
                found.append((f"{label} ({path})", text))
        sources = []
        for label, text in found:
            key = PrivateKey(text)
            try:
                publics = public_keys(repo, key, label)
            except SecretsError:
                continue  # unreadable identities (e.g. plugin-only files) are not ours to judge
            if publics:
                sources.append(IdentitySource(label, tuple(publics), key))
        return cls(tuple(sources))

    @property
    def publics(self) -> set[str]:
        return {p for source in self.sources for p in source.publics}

    def holds(self, recipient: str) -> bool:
        return recipient in self.publics

    def private_for(self, repo: Repo, recipient: str) -> PrivateKey | None:
        """Just the identity line whose public key is ``recipient`` (not the rest of its file)."""
        for source in self.sources:
            if recipient not in source.publics:
                continue
            for identity in IDENTITY.findall(source.text.reveal()):
                if public_keys(repo, PrivateKey(identity + "\n"), source.label) == [recipient]:
                    return PrivateKey(identity + "\n")
        return None

    def describe(self) -> str:
        if not self.sources:
            return (
                f"no age private key found (looked in $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, {default_sops_key_file()}, "
                f"{cluster_key_dir()}/*.agekey)"
            )
        return "keys found: " + "; ".join(
            f"{s.label} -> {', '.join(short(p) for p in s.publics)}" for s in self.sources
        )

    def sops_env(self) -> dict[str, str]:
        """Environment that hands sops every key found (sops' own $SOPS_AGE_KEY_CMD still applies)."""
        if not self.sources:
            return {}
        return {"SOPS_AGE_KEY": "".join(s.text.reveal().rstrip("\n") + "\n" for s in self.sources)}


def short(recipient: str) -> str:
    """``age1abcdefgh...uvwxyz``: enough to recognise a recipient in a message."""
    return f"{recipient[:12]}...{recipient[-6:]}"
