"""The message catalogue: every text a user reads goes through :func:`_`.

One gettext catalogue per language, kept as .po files under core/locale/ and read with Babel, so no
compile step is needed at install time. Chinese (zh_CN) is the default; English with `--lang en` or
GOVSCORE_LANG=en. The shell's LANG is deliberately ignored so that results never depend on the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.pofile import read_po

DOMAIN = "govscore"
LOCALE_DIR = Path(__file__).with_name("locale")
SUPPORTED = ("zh_CN", "en")

_catalogues: dict[str, dict[str, str]] = {}
_current: list[str] = []


def _language_of(lang: str) -> str | None:
    """The supported language code `lang` names ("en", "en_US", "zh", "zh-CN" ...), else None."""
    low = lang.strip().replace("-", "_").lower()
    return "en" if low.startswith("en") else "zh_CN" if low.startswith("zh") else None


def lang_supported(lang: str) -> bool:
    """True when `lang` names a supported language ("en", "en_US", "zh", "zh-CN" ...)."""
    return _language_of(lang) is not None


def normalise_lang(lang: str | None) -> str:
    """Map "en", "en_US", "zh", "zh-CN" ... to a supported language code; unknown -> zh_CN."""
    return (_language_of(lang) if lang else None) or "zh_CN"


def current_language() -> str:
    """The language in force: set_language(), else GOVSCORE_LANG, else zh_CN.

    The environment is read once (on the first call) and kept: this runs for every message of every
    unit, and reading os.environ each time was a measurable share of scoring time.
    """
    if not _current:
        _current.append(normalise_lang(os.environ.get("GOVSCORE_LANG")))
    return _current[-1]


def set_language(lang: str | None) -> str:
    """Select the language for the rest of the process; returns the normalised code."""
    code = normalise_lang(lang) if lang else current_language()
    _current[:] = [code]
    return code


def _catalogue(lang: str) -> dict[str, str]:
    if lang not in _catalogues:
        table: dict[str, str] = {}
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            with po.open("rb") as fh:
                cat = read_po(fh, locale=lang)
            for msg in cat:
                if msg.id and msg.string and not msg.fuzzy:
                    table[str(msg.id)] = str(msg.string)
        _catalogues[lang] = table
    return _catalogues[lang]


_filled: dict = {}
_FILLED_MAX = 100_000


def _(msgid: str, **params: object) -> str:
    """Translate `msgid` (English source text with {named} fields) and fill in `params`.

    Filled sentences are memoised: the same reasons recur in every unit's audit, and sharing one
    string object per sentence keeps a 20,000-unit run's results small in memory.
    """
    lang = current_language()
    if not params:
        return _catalogue(lang).get(msgid, msgid)
    try:
        key = (lang, msgid, tuple(params.items()))  # keyword order is fixed per call site
        hit = _filled.get(key)
    except TypeError:  # an unhashable parameter: fill without memoising
        key, hit = None, None
    if hit is not None:
        return hit
    text = _catalogue(lang).get(msgid, msgid)
    try:
        out = text.format(**params)
    except (KeyError, IndexError, ValueError):
        out = msgid.format(**params)
    if key is not None and len(_filled) < _FILLED_MAX:
        _filled[key] = out
    return out


def N_(msgid: str) -> str:
    """Mark `msgid` for extraction without translating it now (translated later with _)."""
    return msgid
