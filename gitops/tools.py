"""Pinned outside programs: where they are, which version they are, how to install them.

    pins = load_pins(repo)                 # tools.toml, typed
    helm = tool_path(repo, "helm3")        # .tools/bin/helm3, or a clear ToolError
    install(repo, pins["sops"])            # idempotent: release download + sha256, else go / PyPI

Every pinned tool lives in `.tools/bin/<name>` (git-ignored). Nothing here looks at the user's PATH for a
pinned tool: the repository always runs the versions it pins.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from gitops import command
from gitops.errors import ConfigError, ToolError
from gitops.paths import Repo
from gitops.writer import Transaction

PINS_FILE = "tools.toml"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    check: tuple[str, ...]
    expect: str
    go: str | None = None
    ldflags: str = ""
    pypi: str | None = None
    pypi_binary: str | None = None
    release_url: str | None = None
    release_member: str | None = None
    sha256: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def fmt(self, text: str) -> str:
        return text.replace("{version}", self.version)

    @property
    def expected(self) -> str:
        return self.fmt(self.expect)

    def install_hint(self) -> str:
        return f"invoke tools.install --tool {self.name}"


_PIN_KEYS = {
    "version",
    "check",
    "expect",
    "go",
    "ldflags",
    "pypi",
    "pypi_binary",
    "release_url",
    "release_member",
    "sha256",
}


def load_pins(repo: Repo) -> dict[str, Pin]:
    path = repo.root / PINS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{PINS_FILE}: missing; it pins every tool version (restore it from git)") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{PINS_FILE}: not valid TOML ({err})") from None
    pins: dict[str, Pin] = {}
    for name, spec in sorted(data.get("tools", {}).items()):
        unknown = set(spec) - _PIN_KEYS
        if unknown:
            raise ConfigError(
                f"{PINS_FILE}: tools.{name}.{sorted(unknown)[0]}: unknown key (allowed: {sorted(_PIN_KEYS)})"
            )
        for key in ("version", "check", "expect"):
            if key not in spec:
                raise ConfigError(f"{PINS_FILE}: tools.{name}.{key}: required key is missing")
        pins[name] = Pin(name=name, **{k: tuple(v) if k == "check" else v for k, v in spec.items()})
    return pins


def tool_path(repo: Repo, name: str) -> Path:
    """The installed binary of a pinned tool; a ToolError naming the fix when it is absent."""
    path = repo.tools_bin / name
    if not os.access(path, os.X_OK):
        raise ToolError(f"{name} is not installed in {repo.rel(path)}; run `invoke tools.install` (or `invoke doctor`)")
    return path


@dataclass(frozen=True)
class Found:
    pin: Pin
    path: Path | None
    output: str

    @property
    def ok(self) -> bool:
        return self.path is not None and self.pin.expected in self.output


def inspect(repo: Repo, pin: Pin) -> Found:
    path = repo.tools_bin / pin.name
    if not os.access(path, os.X_OK):
        return Found(pin, None, "")
    try:
        result = command.run([path, *pin.check], ok_codes=range(0, 256), timeout=30, what=f"{pin.name} version")
    except Exception:  # noqa: BLE001 - a broken binary is reported, not raised
        return Found(pin, path, "(does not run)")
    text = (result.stdout + result.stderr).strip()
    return Found(pin, path, text.splitlines()[0] if text else "(no output)")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(url: str, timeout: float = 60) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - pinned release URL
            return response.read()
    except (urllib.error.URLError, OSError) as err:
        raise ToolError(f"cannot download {url} ({getattr(err, 'reason', err)})") from None


def with_sha256(text: str, name: str, digest: str) -> str:
    """tools.toml text with `sha256 = "<digest>"` set in the [tools.<name>] table; every other line unchanged."""
    lines = text.splitlines(keepends=True)
    try:
        start = lines.index(f"[tools.{name}]\n")
    except ValueError:
        raise ConfigError(f"{PINS_FILE}: no [tools.{name}] table") from None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    entry = f'sha256 = "{digest}"\n'
    for i in range(start + 1, end):
        if lines[i].startswith("sha256 ="):
            lines[i] = entry
            return "".join(lines)
    version_line = next(i for i in range(start + 1, end) if lines[i].startswith("version ="))
    lines.insert(version_line + 1, entry)
    return "".join(lines)


def pin_sums(repo: Repo, names: list[str]) -> dict[str, str]:
    """Download each tool's official release once and record its sha256 in tools.toml (trust on first use).

    Run it where the internet is reachable, compare the sums with the projects' published checksums, and
    commit the change: from then on `tools.install` verifies every download against them.
    """
    pins = load_pins(repo)
    path = repo.root / PINS_FILE
    text = path.read_text(encoding="utf-8")
    sums = {}
    for name in names:
        pin = pins[name]
        if not pin.release_url:
            raise ConfigError(f"{PINS_FILE}: tools.{name}.release_url: missing; nothing to download")
        sums[name] = _sha256(download(pin.fmt(pin.release_url)))
        text = with_sha256(text, name, sums[name])
    with Transaction(repo.root) as tx:
        tx.write(PINS_FILE, text)
    return sums


def fetch_release(pin: Pin, timeout: float = 20) -> bytes:
    """Download the official release and verify it; ToolError when there is no sum pinned or it differs."""
    if not pin.release_url or not pin.sha256:
        raise ToolError(f"{pin.name}: no release_url with sha256 pinned in {PINS_FILE}")
    url = pin.fmt(pin.release_url)
    try:
        data = download(url, timeout)
    except ToolError as err:
        raise ToolError(f"{pin.name}: {err}") from None
    digest = _sha256(data)
    if digest != pin.sha256:
        raise ToolError(
            f"{pin.name}: {url} has sha256 {digest}, but {PINS_FILE} pins {pin.sha256}; refusing to install it"
        )
    if pin.release_member:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            member = archive.extractfile(pin.release_member)
            if member is None:
                raise ToolError(f"{pin.name}: {pin.release_member} not found in {url}")
            return member.read()
    return data


def _place(repo: Repo, pin: Pin, binary: Path | bytes) -> Path:
    """Atomically put a binary (a path to copy or link, or bytes) at .tools/bin/<name>."""
    repo.tools_bin.mkdir(parents=True, exist_ok=True)
    target = repo.tools_bin / pin.name
    tmp = repo.tools_bin / f".{pin.name}.tmp"
    tmp.unlink(missing_ok=True)
    if isinstance(binary, bytes):
        tmp.write_bytes(binary)
    else:
        shutil.copy2(binary, tmp)
    tmp.chmod(0o755)
    os.replace(tmp, target)
    return target


def _install_go(repo: Repo, pin: Pin) -> Path:
    assert pin.go
    go = shutil.which("go")
    if go is None:
        raise ToolError(f"{pin.name}: neither the release download nor Go is available; install Go 1.26+ and retry")
    with tempfile.TemporaryDirectory(prefix=f"install-{pin.name}-") as tmp:
        flags = f"-s -w {pin.fmt(pin.ldflags)}".strip()
        command.run(
            [go, "install", "-trimpath", f"-ldflags={flags}", f"{pin.go}@v{pin.version}"],
            env={"GOBIN": tmp, "CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"},
            timeout=1800,
            what=f"go install {pin.go}@v{pin.version}",
        )
        built = Path(tmp) / Path(pin.go).name
        return _place(repo, pin, built)


def _install_pypi(repo: Repo, pin: Pin) -> Path:
    assert pin.pypi and pin.pypi_binary
    target = repo.root / ".tools" / "pypi" / f"{pin.pypi}-{pin.version}"
    if not (target / pin.pypi_binary).is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{pin.pypi}-", dir=target.parent))
        try:
            command.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--target",
                    staging,
                    f"{pin.pypi}=={pin.version}",
                ],
                timeout=900,
                what=f"pip install {pin.pypi}=={pin.version}",
            )
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return _place(repo, pin, target / pin.pypi_binary)


def install(repo: Repo, pin: Pin, *, prefer_release: bool = True) -> tuple[Path, str]:
    """Install one pinned tool unless the right version is already there; return (path, how)."""
    found = inspect(repo, pin)
    if found.ok:
        return found.path, "already installed"  # type: ignore[return-value]
    errors: list[str] = []
    if prefer_release and pin.release_url and pin.sha256:
        try:
            return _place(repo, pin, fetch_release(pin)), "release download (sha256 verified)"
        except ToolError as err:
            errors.append(str(err))
    for method, available in (("pypi", pin.pypi), ("go", pin.go)):
        if not available:
            continue
        try:
            path = _install_pypi(repo, pin) if method == "pypi" else _install_go(repo, pin)
        except ToolError as err:
            errors.append(str(err))
            continue
        after = inspect(repo, pin)
        if not after.ok:
            raise ToolError(
                f"{pin.name}: installed by {method} but it reports {after.output!r}, expected {pin.expected!r}"
            )
        return path, f"{method} ({pin.pypi or pin.go})"
    raise ToolError(
        f"{pin.name}: could not install version {pin.version}: " + "; ".join(errors or ["no method pinned"])
    )
