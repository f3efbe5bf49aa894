#!/usr/bin/env python
"""Refresh govscore's message catalogue (core/locale/<lang>/LC_MESSAGES/govscore.po).

Usage (from the repository root, with the project's virtualenv)::

    python tools/update_catalogue.py           # re-extract, merge, write both catalogues
    python tools/update_catalogue.py --check   # write nothing; exit 1 when a message lacks zh_CN

What it does:

1. Extracts every catalogue id (English text with {named} fields) from the Python files of ``core/``
   and ``plugins/`` with Babel. A catalogue id is the first argument of ``_()`` and ``N_()``, of the
   error classes (``GovscoreError`` and every subclass found in the code), of ``work.error()`` and
   any other function whose first parameter is named ``msgid``, and the ``msgid`` field of a
   dataclass such as ``Finding`` (a warning of ``validate``). See :data:`KEYWORDS` and
   :func:`discover_keywords`; a string that is a catalogue id but reaches none of these (a returned
   value, say) is marked with ``N_()``.
2. Merges into ``zh_CN``: translations already made are kept, new ids are added with an empty
   translation (listed on the terminal: translate them in the .po file), ids no longer used in the
   code are dropped (listed too).
3. Writes ``en`` as the identity catalogue (every id is its own English text).

tests/test_i18n.py runs :func:`missing_translations` so that a new message without a Chinese
translation fails the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("core", "plugins")
LOCALE_DIR = ROOT / "core" / "locale"
DOMAIN = "govscore"
KEYWORDS = {
    "_": None,
    "N_": None,
    "GovscoreError": (1,),
    "RuleSetError": (1,),
    "EvidenceError": (1,),
    "PluginError": (1,),
    "CalendarError": (1,),
    "error": (1,),
    "Finding": (2,),
}
HEADER = "govscore message catalogue. Refresh with: python tools/update_catalogue.py"


def discover_keywords(root: Path = ROOT) -> dict:
    """Further names that take a catalogue id, found in the code itself so that a new error class or
    helper needs no edit here: subclasses of GovscoreError (first argument), functions and methods
    whose first parameter (after self) is named ``msgid``, and dataclasses with a ``msgid`` field
    (its position)."""
    import ast

    trees = []
    for sub in SOURCES:
        for path in sorted((root / sub).rglob("*.py")) if (root / sub).is_dir() else []:
            try:
                trees.append(ast.parse(path.read_text(encoding="utf-8")))
            except (SyntaxError, UnicodeDecodeError):
                continue
    found: dict = {}
    errors = {"GovscoreError"}
    classes = [n for t in trees for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for c in classes:
            names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in c.bases}
            if c.name not in errors and names & errors:
                errors.add(c.name)
                grew = True
    for name in errors:
        found[name] = (1,)
    for c in classes:
        fields = [n.target.id for n in c.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
        is_dataclass = any((getattr(d, "id", None) or getattr(getattr(d, "func", None), "id", None)) == "dataclass" for d in c.decorator_list)
        if is_dataclass and "msgid" in fields:
            found[c.name] = (fields.index("msgid") + 1,)
    for t in trees:
        for n in ast.walk(t):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = [a.arg for a in n.args.posonlyargs + n.args.args]
                if params and params[0] in ("self", "cls"):
                    params = params[1:]
                if params and params[0] == "msgid" and n.name not in ("__init__",):
                    found[n.name] = (1,)
    return found


def keywords(root: Path = ROOT) -> dict:
    """:data:`KEYWORDS` plus :func:`discover_keywords`."""
    out = dict(discover_keywords(root))
    out.update(KEYWORDS)
    return out


def extract(root: Path = ROOT) -> dict[str, list[str]]:
    """Every catalogue id used under core/ and plugins/ -> the files using it (sorted, relative)."""
    found: dict[str, set[str]] = {}
    kw = keywords(root)
    for sub in SOURCES:
        folder = root / sub
        if not folder.is_dir():
            continue
        with contextlib.redirect_stderr(io.StringIO()):  # Babel notes every f-string argument; not ours to show
            results = list(extract_from_dir(str(folder), method_map=[("**.py", "python")], keywords=kw,
                                            comment_tags=("TRANSLATORS:",), strip_comment_tags=True))
        for filename, _lineno, message, _comments, _context in results:
            if isinstance(message, (tuple, list)):
                message = message[0]
            if not message or not isinstance(message, str):
                continue
            found.setdefault(message, set()).add(f"{sub}/{filename}".replace("\\", "/"))
    return {m: sorted(files) for m, files in sorted(found.items())}


def po_path(lang: str, root: Path = ROOT) -> Path:
    return root / "core" / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str, root: Path = ROOT) -> Catalog | None:
    path = po_path(lang, root)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def fields(text: str) -> set[str]:
    """The {named} fields of a catalogue text (conversion and format spec ignored)."""
    out = set()
    try:
        for _lit, name, _spec, _conv in string.Formatter().parse(text):
            if name is not None:
                out.add(name)
    except ValueError:
        out.add("<unbalanced braces>")
    return out


def _new_catalogue(lang: str) -> Catalog:
    cat = Catalog(locale=lang, domain=DOMAIN, project="govscore", version="1", header_comment=f"# {HEADER}",
                  charset="utf-8", fuzzy=False)
    cat.revision_date = cat.creation_date = cat.creation_date.replace(year=2024, month=1, day=1, hour=0, minute=0, second=0)
    cat.last_translator = "govscore developers"
    cat.language_team = lang
    return cat


def build(msgids: dict[str, list[str]], lang: str, existing: Catalog | None) -> tuple[Catalog, list[str], list[str]]:
    """The catalogue of `lang` for `msgids`: (catalogue, ids added untranslated, ids dropped)."""
    cat = _new_catalogue(lang)
    old = {}
    if existing is not None:
        for m in existing:
            if m.id:
                old[str(m.id)] = (str(m.string or ""), m.fuzzy)
    added = []
    for msgid, files in msgids.items():
        if lang == "en":
            text = msgid
        else:
            text, fuzzy = old.get(msgid, ("", False))
            if fuzzy:
                text = ""
            if not text:
                added.append(msgid)
        cat.add(msgid, text, locations=[(f, None) for f in files])
    dropped = sorted(set(old) - set(msgids))
    return cat, added, dropped


def write(cat: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, cat, width=0, omit_header=False, include_lineno=False, sort_output=False)
    path.write_bytes(buf.getvalue())


def missing_translations(root: Path = ROOT) -> list[str]:
    """Catalogue ids used in the code without a usable zh_CN translation (empty, fuzzy, or with
    {fields} that differ from the id's)."""
    msgids = extract(root)
    cat = read_catalogue("zh_CN", root)
    have = {}
    if cat is not None:
        for m in cat:
            if m.id and m.string and not m.fuzzy:
                have[str(m.id)] = str(m.string)
    out = []
    for msgid in msgids:
        text = have.get(msgid)
        if not text or fields(text) != fields(msgid):
            out.append(msgid)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Refresh govscore's message catalogue.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a message lacks a zh_CN translation")
    args = parser.parse_args(argv)
    if args.check:
        missing = missing_translations()
        for m in missing:
            print(f"untranslated: {m!r}")
        print(f"{len(missing)} message(s) without a zh_CN translation")
        return 1 if missing else 0
    msgids = extract()
    for lang in ("zh_CN", "en"):
        cat, added, dropped = build(msgids, lang, read_catalogue(lang))
        write(cat, po_path(lang))
        if lang == "zh_CN":
            for m in added:
                print(f"to translate: {m!r}")
            for m in dropped:
                print(f"dropped (no longer used): {m!r}")
    missing = missing_translations()
    print(f"{len(msgids)} message(s); {len(missing)} without a zh_CN translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
