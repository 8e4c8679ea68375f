"""Shared pytest fixtures.

Third-party test data lives in ``../shared`` beside the repository, never inside it.
Tests that need it skip when it is absent, except under CI (``CI=true``), where a
missing ``shared/`` is a broken setup and must fail loudly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT / ".." / "shared"


def _require_shared(path: Path) -> Path:
    if path.is_dir():
        return path.resolve()
    message = f"shared test data not found at {path}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Path to ``../shared`` relative to the repo root (skip if absent; fail under CI)."""
    return _require_shared(SHARED_DIR)
