"""`invoke tools.install`: put every pinned tool (tools.toml) in .tools/bin, idempotently."""

from __future__ import annotations

from gitops import tools
from gitops.cli import say, task
from gitops.errors import ConfigError
from gitops.paths import Repo


@task(
    name="install",
    iterable=["tool"],
    help={
        "tool": "install only this tool (repeatable); default: every pinned tool",
        "no-release": "skip official release downloads; build or fetch from the Go proxy / PyPI only",
    },
)
def install(c, tool=None, no_release=False):
    """Install the pinned tools into .tools/bin (release download + sha256, else go install / PyPI)."""
    repo = Repo.find()
    pins = tools.load_pins(repo)
    names = list(tool) if tool else list(pins)
    for name in names:
        if name not in pins:
            raise ConfigError(f"tools.toml: no tool named {name!r} (pinned: {', '.join(pins)})")
    for name in names:
        path, how = tools.install(repo, pins[name], prefer_release=not no_release)
        say(f"  {name:<11} {pins[name].version:<8} {how}")
    say(f"tools.install: {len(names)} tool(s) in {repo.rel(repo.tools_bin)}")


@task(
    name="pin-sums",
    iterable=["tool"],
    help={"tool": "only this tool (repeatable); default: every tool with a release_url"},
)
def pin_sums(c, tool=None):
    """Download each official release once and record its sha256 in tools.toml (needs internet; review the diff)."""
    repo = Repo.find()
    pins = tools.load_pins(repo)
    names = list(tool) if tool else [n for n, p in pins.items() if p.release_url]
    for name in names:
        if name not in pins:
            raise ConfigError(f"tools.toml: no tool named {name!r} (pinned: {', '.join(pins)})")
    for name, digest in tools.pin_sums(repo, names).items():
        say(f"  {name:<11} sha256 {digest}")
    say(f"tools.pin-sums: {len(names)} sum(s) written to tools.toml; compare them with the published checksums")
