"""Shared fixtures: the repository root and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def english():
    """Read messages in English for the duration of a test (the default is Chinese)."""
    from govscore.core.i18n import current_language, set_language

    before = current_language()
    set_language("en")
    yield
    set_language(before)
