"""nox sessions. Run them through the pinned environment: `./scripts/dev nox -s tests`.

Sessions run in the environment that `scripts/dev` prepared (.venv + .tools/bin): no per-session
virtualenvs, so every session uses exactly the pinned packages and tools.
"""

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "tests"]


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint + format check) and yamllint on hand-written YAML."""
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("yamllint", "--strict", "-c", ".yamllint.yaml", ".")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite except the end-to-end run (pytest arguments pass through)."""
    session.run("python", "-m", "pytest", "-m", "not e2e", *session.posargs)


@nox.session
def validate(session: nox.Session) -> None:
    """`invoke render --check` and `invoke validate` on every cluster, offline."""
    session.run("invoke", "render", "--check")
    session.run("invoke", "validate")


@nox.session
def e2e(session: nox.Session) -> None:
    """A real API server, a real GitOps controller, a real push, a real rollout (`-- --backend kind` for kind)."""
    session.run("python", "-m", "pytest", "-m", "e2e", "tests/e2e", "-q", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Render and bump a synthetic fleet; compare with bare helm (`-- --clusters 300`)."""
    session.run("invoke", "bench", *session.posargs)
