"""``govscore new-plugin NAME``: generate a plugin package that passes its own tests.

:func:`new_plugin` renders the templates of ``core/scaffold_template/`` (package data) into a new
project folder ``govscore-<name>``::

    govscore-<name>/
      pyproject.toml                  entry point <name> = govscore_<name>.plugin (group govscore.plugins)
      README.md
      src/govscore_<name>/__init__.py
      src/govscore_<name>/plugin.py   indicator <name>.example: evidence model, IndicatorSpec, hooks
      src/govscore_<name>/rules/<name>-example/ruleset.yaml    extends 2023-zengdu
      src/govscore_<name>/rules/<name>-example/<name>.yaml     category <name>, the indicator's rules
      tests/test_<name>.py            govscore.core.testing fixtures, points computed by hand

Templates are plain text with ``{{name}}``, ``{{dist}}``, ``{{package}}``, ``{{ruleset}}`` and
``{{indicator}}`` fields; in file and folder names the words NAME, PACKAGE and RULESET stand for them.
A template file ends in ``.tmpl`` (so that the templates are never imported or byte-compiled).
"""

from __future__ import annotations

import pkgutil
import re
from importlib import resources
from pathlib import Path

from .errors import ExitCode, GovscoreError, Location

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME = 40
TEMPLATE_DIR = "scaffold_template"
SUFFIX = ".tmpl"
# always refused: they clash with govscore's own packages and built-in plugin names
ALWAYS_RESERVED = frozenset({"core", "govscore"})


class ScaffoldError(GovscoreError, ValueError):
    """The plugin name is invalid or the project folder already exists (exit 2; also a ValueError)."""


def _error(msgid: str, params: dict) -> ScaffoldError:
    return ScaffoldError(msgid, params, Location(), None, None, ExitCode.USAGE)


def reserved_names() -> set[str]:
    """Names a new plugin may not take: govscore's own, the built-in plugin areas (plugin names), and
    the category ids and indicator-id prefixes of the built-in rule sets (the generated category would
    merge into theirs)."""
    names = set(ALWAYS_RESERVED)
    try:
        import govscore.plugins as pkg

        names.update(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.ispkg)
    except ImportError:  # pragma: no cover - govscore without its plugins
        pass
    try:
        import govscore.rules as rules_pkg
        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=True)
        for folder in Path(rules_pkg.__file__).parent.iterdir():
            for f in folder.glob("*.yaml") if folder.is_dir() else ():
                try:
                    doc = yaml.load(f.read_text(encoding="utf-8")) or {}
                except Exception:  # a rule file someone is editing: its names are not reserved now
                    continue
                if not isinstance(doc, dict):
                    continue
                cat = doc.get("category")
                if isinstance(cat, dict) and cat.get("id"):
                    names.add(str(cat["id"]))
                for ind in doc.get("indicators") or []:
                    if isinstance(ind, dict) and "." in str(ind.get("id", "")):
                        names.add(str(ind["id"]).split(".", 1)[0])
    except ImportError:  # pragma: no cover
        pass
    return names


def check_name(name: str) -> str:
    """Return `name` if it can name a plugin, else raise :class:`ScaffoldError`.

    A name is lowercase letters, digits and underscores, starting with a letter, at most 40
    characters, and none of :func:`reserved_names`. It becomes the entry-point name, the category id,
    the first part of the indicator id (``<name>.example``) and, prefixed with ``govscore_``, the
    import package.
    """
    if isinstance(name, str) and "." in name and NAME_RE.match(name.replace(".", "_")):
        raise _error("{name} looks like an indicator id; new-plugin takes a plugin name such as {suggestion} "
                     "(lowercase letters, digits and underscores) and names its example indicator {suggestion}.example",
                     {"name": name, "suggestion": name.split(".")[-1]})
    if not isinstance(name, str) or not NAME_RE.match(name) or len(name) > MAX_NAME:
        raise _error("invalid plugin name {name!r}: use lowercase letters, digits and underscores, starting with a "
                     "letter, at most {max} characters (e.g. accessibility, open_data)", {"name": name, "max": MAX_NAME})
    if name in reserved_names():
        raise _error("plugin name {name} is taken by govscore itself (a built-in plugin, category or indicator prefix); "
                     "choose another", {"name": name})
    return name


def fields_for(name: str) -> dict[str, str]:
    """The template fields of plugin `name`: name, dist, package, ruleset, indicator."""
    hyphen = name.replace("_", "-")
    return {
        "name": name,
        "dist": f"govscore-{hyphen}",
        "package": f"govscore_{name}",
        "ruleset": f"{hyphen}-example",
        "indicator": f"{name}.example",
    }


def _render(text: str, fields: dict[str, str]) -> str:
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.search(r"\{\{\s*\w+\s*\}\}", text)
    if left:  # a template names a field that does not exist: a bug of the template, not of the user
        raise RuntimeError(f"scaffold template field {left.group(0)} is unknown")
    return text


def _render_part(part: str, fields: dict[str, str]) -> str:
    if part.endswith(SUFFIX):
        part = part[: -len(SUFFIX)]
    for word, key in (("PACKAGE", "package"), ("RULESET", "ruleset"), ("NAME", "name")):
        part = part.replace(word, fields[key])
    return part


def _walk(node, rel: tuple[str, ...] = ()):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name in ("__pycache__",) or child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child, rel + (child.name,))
        elif child.name.endswith(SUFFIX):
            yield rel + (child.name,), child


def new_plugin(name: str, dest: Path) -> Path:
    """Generate the plugin package ``govscore-<name>`` inside `dest` and return its folder.

    Args:
        name: the plugin's name (see :func:`check_name`), e.g. ``"accessibility"``.
        dest: the folder in which the project folder is created (created if missing).

    Returns:
        The new project folder, ``dest / "govscore-<name>"`` (underscores of `name` become hyphens).
        ``pip install -e <folder>`` installs it; ``pytest`` inside it runs its tests, which pass.

    Raises:
        ScaffoldError: an invalid or reserved name, or a project folder that exists and is not empty.
            It is a GovscoreError with exit code 2 and also a ValueError.
    """
    check_name(name)
    fields = fields_for(name)
    project = Path(dest) / fields["dist"]
    if project.exists() and (not project.is_dir() or any(project.iterdir())):
        raise _error("{path} already exists; choose another destination or remove it", {"path": str(project)})
    root = resources.files("govscore.core") / TEMPLATE_DIR
    files = [(tuple(_render_part(p, fields) for p in rel), node) for rel, node in _walk(root)]
    if not files:  # pragma: no cover - a broken installation
        raise RuntimeError("the scaffold templates are missing from the govscore installation")
    for rel, node in files:
        out = project.joinpath(*rel)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_render(node.read_text(encoding="utf-8"), fields), encoding="utf-8")
    return project
