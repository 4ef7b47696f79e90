"""What each Secret holds, in the format the Trigger.dev 3.3 runtime demands, and where outside values come from.

    values = generated_values()                          # SESSION_SECRET, ..., ENCRYPTION_KEY (exactly 32 chars)
    inputs = SecretInputs.from_sources({"redis_url": None})  # flags, then TRIGGER_* env, then a no-echo prompt
    redis = redis_values(inputs.get("redis_url"), tls=False)  # REDIS_HOST/PORT/USERNAME/PASSWORD

Generated values come from :mod:`secrets` (the standard library's CSPRNG). Outside values (database,
Redis, registry credentials) are validated for shape; no message ever repeats a value.
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import re
import secrets as random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from gitops.errors import SecretsError

APP_SECRET = "trigger-secrets"  # noqa: S105 (a Secret name)
REGISTRY_SECRET = "registry-trigger"  # noqa: S105


@dataclass(frozen=True)
class Generated:
    """A value this repository generates: ``nbytes`` random bytes written as lower-case hex."""

    key: str
    nbytes: int
    readers: tuple[str, ...]
    note: str = ""

    def new(self) -> str:
        return random.token_hex(self.nbytes)

    def problem(self, value: str) -> str | None:
        """Why ``value`` has the wrong format (never showing it), or None."""
        want = self.nbytes * 2
        if len(value) != want:
            return (
                f"{self.key} is {len(value)} characters; it must be exactly {want} ({self.nbytes} random bytes as hex)"
            )
        if not re.fullmatch(r"[0-9a-f]+", value):
            return f"{self.key} must be lower-case hex"
        return None


# The runtime contract: 16 random bytes as hex for the session/magic-link secrets and the encryption key
# (ENCRYPTION_KEY is used raw as an AES-256 key: exactly 32 characters), long random hex for shared secrets.
GENERATED: tuple[Generated, ...] = (
    Generated("SESSION_SECRET", 16, ("webapp", "worker"), "signs dashboard sessions: everyone is logged out"),
    Generated("MAGIC_LINK_SECRET", 16, ("webapp", "worker"), "signs login links: links already sent stop working"),
    Generated(
        "ENCRYPTION_KEY",
        16,
        ("webapp", "worker"),
        "encrypts stored environment variables: values stored under the old key can no longer be read",
    ),
    Generated("PROVIDER_SECRET", 32, ("webapp", "worker", "provider"), "shared with the kubernetes provider"),
    Generated("COORDINATOR_SECRET", 32, ("webapp", "worker", "coordinator"), "shared with the coordinator"),
)
BY_KEY = {g.key: g for g in GENERATED}
# Rotated only when named with --key: rotating it makes already-stored project secrets unreadable.
ROTATE_ONLY_WHEN_NAMED = frozenset({"ENCRYPTION_KEY"})

DATABASE_READERS = ("webapp", "worker", "electric")
REDIS_READERS = ("webapp", "worker")
REGISTRY_READERS = ("task pods (pulled by the kubernetes provider)",)


def generated_values() -> dict[str, str]:
    return {g.key: g.new() for g in GENERATED}


def format_problems(values: Mapping[str, object]) -> list[str]:
    """Format errors of the generated keys present in ``values`` (messages never include a value)."""
    problems = []
    for key, spec in BY_KEY.items():
        if key not in values:
            problems.append(f"{key} is missing")
            continue
        problem = spec.problem(str(values[key]))
        if problem:
            problems.append(problem)
    return problems


# --- outside values ---------------------------------------------------------------------------------------------

ENV_NAMES = {
    "database_url": "TRIGGER_DATABASE_URL",
    "direct_url": "TRIGGER_DIRECT_URL",
    "redis_url": "TRIGGER_REDIS_URL",
    "registry_username": "TRIGGER_REGISTRY_USERNAME",
    "registry_password": "TRIGGER_REGISTRY_PASSWORD",
}
FLAGS = {name: "--" + name.replace("_", "-") for name in ENV_NAMES}
PROMPTS = {
    "database_url": "DATABASE_URL (postgresql://user:password@host:5432/db?schema=public)",
    "direct_url": "DIRECT_URL for migrations (empty: same as DATABASE_URL)",
    "redis_url": "Redis URL (redis://[user:password@]host:6379 or rediss://...)",
    "registry_username": "registry user name",
    "registry_password": "registry password or token",
}
OPTIONAL = frozenset({"direct_url"})


@dataclass
class SecretInputs:
    """Outside values, looked up in order: explicit flags, ``TRIGGER_*`` environment variables, a no-echo prompt."""

    flags: dict[str, str | None] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)
    prompt: Callable[[str], str] | None = None

    @classmethod
    def from_sources(
        cls, flags: Mapping[str, str | None] | None = None, *, interactive: bool | None = None
    ) -> SecretInputs:
        """Flags given on the command line, the process environment, and getpass when stdin is a terminal."""
        if interactive is None:
            interactive = sys.stdin.isatty()
        return cls(dict(flags or {}), dict(os.environ), getpass.getpass if interactive else None)

    def get(self, name: str, cluster: str = "") -> str:
        value = self.flags.get(name) or self.environ.get(ENV_NAMES[name])
        if not value and self.prompt is not None:
            value = self.prompt(f"{cluster + ': ' if cluster else ''}{PROMPTS[name]}: ").strip()
        if not value:
            if name in OPTIONAL:
                return ""
            raise SecretsError(
                f"{cluster + ': ' if cluster else ''}no value for {PROMPTS[name].split(' (')[0]}: pass {FLAGS[name]}, "
                f"set {ENV_NAMES[name]}, or run in a terminal to be prompted (input is not echoed)"
            )
        return value


def database_values(database_url: str, direct_url: str = "") -> dict[str, str]:
    direct_url = direct_url or database_url
    for key, url in (("DATABASE_URL", database_url), ("DIRECT_URL", direct_url)):
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise SecretsError(
                f"{key}: expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE (got a {parts.scheme or 'schemeless'} "
                "value); check the flag or TRIGGER_* variable"
            )
        if re.search(r"[?&]schema=(&|$)", url):
            raise SecretsError(f"{key}: ?schema= is empty; give a schema name such as ?schema=public or drop it")
    return {"DATABASE_URL": database_url, "DIRECT_URL": direct_url}


def redis_values(url: str, *, tls: bool) -> dict[str, str]:
    """Split a Redis URL into the variables the app reads (it has no REDIS_URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SecretsError(
            "Redis URL: expected redis://[USER:PASSWORD@]HOST:PORT or rediss://... "
            f"(got a {parts.scheme or 'schemeless'} "
            "value); check --redis-url or TRIGGER_REDIS_URL"
        )
    if parts.scheme == "rediss" and not tls:
        raise SecretsError(
            "Redis URL is rediss:// (TLS) but the cluster's redis.tls is false; set redis.tls: true in cluster.yaml "
            "or give a redis:// URL"
        )
    try:
        port = parts.port or 6379
    except ValueError:
        raise SecretsError("Redis URL: the port is not a number") from None
    values = {"REDIS_HOST": parts.hostname, "REDIS_PORT": str(port)}
    if parts.username:
        values["REDIS_USERNAME"] = unquote(parts.username)
    values["REDIS_PASSWORD"] = unquote(parts.password or "")
    return values


def dockerconfigjson(host: str, username: str, password: str) -> str:
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    return json.dumps({"auths": {host: {"username": username, "password": password, "auth": auth}}}, sort_keys=True)
