"""Fixtures for the validation tests: the CRD schema cache (filled once) and the planted fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops import schemas

FIXTURES = Path(__file__).parent / "fixtures"
# A fixed range keeps expected messages stable; both schema sets ship with kubernetes-validate.
KUBE = ("1.27", "1.37")


@pytest.fixture(scope="session")
def store() -> schemas.SchemaStore:
    """Kubernetes + pinned CRD schemas. The first run ever fetches the CRDs (`invoke validate.prefetch` in CI)."""
    return schemas.SchemaStore.load()
