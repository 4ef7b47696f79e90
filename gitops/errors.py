"""One exception family for everything a user can get wrong or a tool can refuse.

try:
    render.render_fleet(repo)
except GitopsError as err:
    print(f"error: {err}")   # one line: what, where, how to fix
"""

from __future__ import annotations


class GitopsError(Exception):
    """Base of every error the command line turns into one line and a non-zero exit."""


class ConfigError(GitopsError):
    """A hand-edited input (cluster.yaml, .sops.yaml, tools.toml) is invalid."""


class ToolError(GitopsError):
    """An outside program is missing or failed."""


class SecretsError(GitopsError):
    """Encryption, decryption or a key is wrong."""


class VersionError(GitopsError):
    """A Trigger.dev version is malformed, unknown or not allowed."""


class StaleError(GitopsError):
    """Generated files do not match their inputs."""
