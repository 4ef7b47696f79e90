"""The plaintext guard: nothing secret in the repository unless SOPS-encrypted, and every encrypted file intact.

    report = check_repo(repo)          # CheckReport(findings=[...], notes=[...])
    for line in report.findings:       # "secrets/staging/x.sops.yaml: stringData.A is not encrypted; ..."
        print(line)

Findings never quote a value. Checks: every file under secrets/ is a SOPS-encrypted Secret with a
MAC and the recipients `.sops.yaml` asks for; no Secret with data anywhere else; no credential-looking
string in tracked files; and, for files a key on this machine opens, the MAC verifies and the
generated values have their required formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gitops import sops
from gitops.age import TEST_MARK, KeyRing, PrivateKey, public_keys
from gitops.command import run
from gitops.errors import GitopsError
from gitops.paths import Repo
from gitops.secret_values import APP_SECRET, format_problems
from gitops.sops_config import FILE_NAME, config_path, parse

ALLOWED_PLAIN = {"kustomization.yaml", "kustomization-ksops.yaml", "README.md", ".gitkeep"}
SKIP_DIRS = {".git", ".tools", ".nox", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}
MAX_BYTES = 1_000_000
# Credential-looking strings. Each is (label, pattern); matches are reported by file:line, never quoted.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an age private key", re.compile(r"AGE-SECRET-KEY-1[0-9A-Z]{58}")),
    ("a PEM private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe/OpenAI-style secret key", re.compile(r"\b(?:sk_live|rk_live|sk-proj)[_-][A-Za-z0-9]{20,}")),
)
SECRET_KIND = re.compile(r"""^\s*["']?kind["']?\s*:\s*["']?Secret\b""", re.MULTILINE)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MIN_PASSWORD = 8  # shorter ones (pw, pass, x) are examples in docs and tests
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"]+)@[^\s'\"]+")
PLACEHOLDER = re.compile(r"TEST|example|EXAMPLE|password|PASSWORD|secret|SECRET|changeme|xxx|\*\*\*|\.\.\.|^[<${%]")


@dataclass
class CheckReport:
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def listed_files(repo: Repo) -> list[Path]:
    """Files git tracks or would add (untracked, not ignored); a plain walk outside a git work tree."""
    result = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo.root,
        ok_codes=range(256),
        what="git ls-files",
    )
    if result.returncode == 0:
        return sorted({repo.root / name for name in result.stdout.split("\0") if name and (repo.root / name).is_file()})
    out = []
    for path in repo.root.rglob("*"):
        if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(repo.root).parts):
            out.append(path)
    return sorted(out)


def _is_test_key_file(repo: Repo, path: Path, text: str) -> bool:
    rel = repo.rel(path)
    return rel.startswith("tests/keys/") and "TEST" in path.name and TEST_MARK in text


def _is_test_fixture(rel: str) -> bool:
    """tests/**/fixtures/**: planted defects for other checks' tests (credential patterns still apply there)."""
    parts = rel.split("/")
    return parts[0] == "tests" and "fixtures" in parts[1:-1]


def _is_helm_template(path: Path) -> bool:
    return any(parent.name == "templates" and (parent.parent / "Chart.yaml").is_file() for parent in path.parents)


def _encrypted_value(value: object) -> bool:
    return isinstance(value, str) and value.startswith(sops.ENC_PREFIX)


def scan_credentials(repo: Repo, path: Path, text: str) -> list[str]:
    rel = repo.rel(path)
    if _is_test_key_file(repo, path, text):
        return []
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for label, pattern in PATTERNS:
            if pattern.search(line):
                findings.append(f"{rel}:{number}: looks like {label}; remove it (and revoke it if it was real)")
        for match in URL_PASSWORD.finditer(line):
            if len(match.group(1)) >= MIN_PASSWORD and not PLACEHOLDER.search(match.group(1)):
                findings.append(
                    f"{rel}:{number}: a URL with an embedded password; move it into secrets/ "
                    "with `invoke secrets.edit` "
                    "(placeholders must say TEST or example)"
                )
    return findings


def scan_plain_secrets(repo: Repo, path: Path, text: str) -> list[str]:
    """Kubernetes Secrets with data outside secrets/ (or unencrypted anywhere)."""
    rel = repo.rel(path)
    if path.suffix not in (".yaml", ".yml", ".json") or _is_helm_template(path) or _is_test_fixture(rel):
        return []
    if not SECRET_KIND.search(text):
        return []
    try:
        docs = list(yaml.load_all(text, Loader=SAFE_LOADER))
    except yaml.YAMLError:
        return []
    findings = []
    for doc in docs:
        if not isinstance(doc, dict) or doc.get("kind") != "Secret":
            continue
        filled = [k for k in ("data", "stringData") if isinstance(doc.get(k), dict) and doc[k]]
        if not filled:
            continue
        name = (doc.get("metadata") or {}).get("name", "?")
        if "sops" in doc and all(_encrypted_value(v) for k in filled for v in doc[k].values()):
            if not rel.startswith("secrets/"):
                findings.append(f"{rel}: encrypted Secret {name!r} outside secrets/; move it to secrets/<cluster>/")
            continue
        findings.append(
            f"{rel}: Secret {name!r} has plaintext {'/'.join(filled)}; delete it and create it with "
            "`invoke secrets.edit secrets/<cluster>/<name>.sops.yaml` (encrypted)"
        )
    return findings


def check_secret_file(repo: Repo, path: Path, wanted: list[str] | None) -> list[str]:
    """Structure of one secrets/<c>/*.sops.yaml: a Secret, values encrypted, a MAC, the right recipients."""
    rel = repo.rel(path)
    try:
        data = sops.load_document(path, rel)
        meta = sops.metadata_of(data, rel)
    except GitopsError as err:
        return [str(err)]
    findings = []
    if data.get("kind") != "Secret":
        findings.append(f"{rel}: kind is {data.get('kind')!r}; only Kubernetes Secrets belong in secrets/")
    for key in ("data", "stringData"):
        for name, value in (data.get(key) or {}).items():
            if not _encrypted_value(value):
                findings.append(
                    f"{rel}: {key}.{name} is not encrypted; restore the file from git or re-create it with "
                    "`invoke secrets.edit`"
                )
    if not meta.mac.startswith(sops.ENC_PREFIX):
        findings.append(f"{rel}: sops.mac is missing; the file cannot be verified: restore it from git")
    if not meta.recipients:
        findings.append(f"{rel}: no age recipients; re-create it with `invoke secrets.recipients`")
    elif wanted is not None and sorted(meta.recipients) != sorted(wanted):
        findings.append(
            f"{rel}: encrypted to other age keys than .sops.yaml lists for its cluster; re-key with "
            "`invoke secrets.recipients`"
        )
    return findings


def verify_secret_file(repo: Repo, path: Path, ring: KeyRing) -> list[str]:
    """Decrypt in memory (the MAC is checked by sops) and check generated value formats."""
    rel = repo.rel(path)
    try:
        doc = yaml.safe_load(sops.decrypt(repo, path, ring))
    except GitopsError as err:
        return [str(err)]
    if path.name == f"{APP_SECRET}.sops.yaml":
        values = {**(doc.get("data") or {}), **(doc.get("stringData") or {})}
        return [
            f"{rel}: {problem}; fix it with `invoke secrets.rotate --key KEY`" for problem in format_problems(values)
        ]
    return []


def check_repo(repo: Repo, *, verify: bool = True) -> CheckReport:
    report = CheckReport()
    config = None
    if config_path(repo).is_file():
        text = config_path(repo).read_text(encoding="utf-8")
        try:
            config = parse(text)
            if text != config.render():
                report.findings.append(
                    f"{FILE_NAME}: differs from what its keys: section generates (hand-edited?); rewrite it with "
                    "`invoke secrets.recipients`"
                )
        except GitopsError as err:
            report.findings.append(str(err))
    elif repo.secrets.is_dir() and any(repo.secrets.rglob("*.sops.yaml")):
        report.findings.append(f"{FILE_NAME}: missing; run `invoke secrets.init --cluster NAME`")

    ring = KeyRing.discover(repo) if verify else KeyRing(())
    unverified = 0
    if repo.secrets.is_dir():
        for path in sorted(p for p in repo.secrets.rglob("*") if p.is_file()):
            rel = repo.rel(path)
            parts = path.relative_to(repo.secrets).parts
            if parts == ("README.md",):
                continue
            if len(parts) != 2:
                report.findings.append(f"{rel}: unexpected here; secrets/ holds only secrets/<cluster>/<file>")
                continue
            if path.name in ALLOWED_PLAIN:
                continue
            if not path.name.endswith(".sops.yaml"):
                report.findings.append(f"{rel}: not a *.sops.yaml file; only encrypted Secrets belong in secrets/")
                continue
            cluster = parts[0]
            wanted = None
            if config is not None:
                if cluster in config.clusters:
                    wanted = config.recipients(cluster)
                else:
                    report.findings.append(
                        f"{rel}: {FILE_NAME} has no key for cluster {cluster!r}; run `invoke secrets.init --cluster "
                        f"{cluster}`"
                    )
            structural = check_secret_file(repo, path, wanted)
            report.findings += structural
            if structural and any("not SOPS-encrypted" in f or "not valid YAML" in f for f in structural):
                continue
            try:
                meta = sops.metadata(path, rel)
            except GitopsError:
                continue  # already reported by the structural check
            if verify and any(ring.holds(r) for r in meta.recipients):
                report.findings += verify_secret_file(repo, path, ring)
            else:
                unverified += 1
    if unverified:
        report.notes.append(
            f"{unverified} secret file(s) not decrypted (no matching age key here): their MACs were not verified"
        )

    for path in listed_files(repo):
        rel = repo.rel(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        report.findings += scan_credentials(repo, path, text)
        if not rel.startswith("secrets/"):
            report.findings += scan_plain_secrets(repo, path, text)
    if config is not None:
        test_keys = _test_recipients(repo)
        for cluster, key in sorted(config.clusters.items()):
            if key in test_keys:
                report.notes.append(f"cluster {cluster} still uses the committed TEST key: replace it before real use")
        for admin, key in sorted(config.admins.items()):
            if key in test_keys:
                report.notes.append(f"admin {admin} is the committed TEST key: remove it before real use")
    return report


def _test_recipients(repo: Repo) -> set[str]:
    out: set[str] = set()
    keys_dir = repo.root / "tests" / "keys"
    for path in sorted(keys_dir.glob("*TEST*.agekey")) if keys_dir.is_dir() else []:
        try:
            out.update(public_keys(repo, PrivateKey(path.read_text(encoding="utf-8")), repo.rel(path)))
        except GitopsError:
            continue  # not a usable key: the credential scan still reports it if unlabelled
    return out


def check(repo: Repo) -> list[str]:
    """Every finding (empty when all is well)."""
    return check_repo(repo).findings
