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


@pytest.fixture(autouse=True)
def _messages_in_english_by_default():
    """In-process messages read in English, so that tests can assert sentences (the Chinese catalogue
    makes Chinese the default everywhere else). The CLI still chooses its own language (--lang, else
    GOVSCORE_LANG, else Chinese); tests of the Chinese output ask for it (see test_i18n.py)."""
    from govscore.core import i18n

    saved = list(i18n._current)
    i18n.set_language("en")
    yield
    i18n._current[:] = saved


@pytest.fixture(params=("durable", "reference"))
def engine(request) -> str:
    """Each test taking `engine` runs on both backends (they must agree)."""
    return request.param
