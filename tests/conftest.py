"""Shared test fixtures.

Real data lives in ``../shared/data`` beside the repository (never copied in). Tests that need it use
the ``shared_data`` fixture: it skips with a reason when the folder is absent, but fails when
``CI=true`` because CI must run every real-data test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MATCHDAY_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def require_shared(*relative: str) -> Path:
    """Path inside ../shared/data; skip (locally) or fail (CI=true) when it is missing."""
    path = SHARED_DATA.joinpath(*relative)
    if not path.exists():
        message = f"real data not found: {path} (put ../shared/data beside the repo)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Root of ../shared/data (see require_shared for the skip/fail policy)."""
    return require_shared()
