"""Test helpers and pytest fixtures for plugin authors.

This module is a pytest plugin: wherever govscore is installed, pytest loads it through the
``pytest11`` entry point, so a plugin package's tests use the fixtures below without a conftest.
Everything is also a plain function or class, usable outside pytest.

Fixtures (each returns a factory, call it in the test):

- ``govscore_registry(extra=[("name", module)], entry_points=False)`` -> :class:`~govscore.core.plugins.Registry`:
  a fresh plugin manager with the built-ins plus the plugins under test (:func:`make_registry`).
- ``tiny_ruleset(content, name="tiny", extends=None, ...)`` -> ``Path``: a rule-set folder written under
  ``tmp_path`` from a dict or YAML text (:func:`write_ruleset`).
- ``unit_builder("u1", "测试局")`` -> :class:`UnitBuilder`: a unit's evidence, built step by step.

Helpers:

- :func:`score` (evidence, rules=..., registry=...) -> :class:`~govscore.core.runner.RunResult`:
  writes the evidence to a YAML file and runs :func:`govscore.core.runner.run`, like ``govscore score``.
- :func:`unit_result` (run_result, unit_id) -> :class:`~govscore.core.result.UnitResult`.
- :func:`pip_install_target` (project, target): installs a plugin package into a folder (no
  dependencies, no network when setuptools can build wheels locally) so that a subprocess with
  ``PYTHONPATH=target`` sees its entry point.

A complete test of an indicator plugin (see examples/plugin-accessibility/tests)::

    from fractions import Fraction
    from govscore.core.testing import score
    import govscore_accessibility.plugin as plugin

    def test_full_marks(govscore_registry, tiny_ruleset, unit_builder):
        registry = govscore_registry(extra=[("accessibility", plugin)])
        rules = tiny_ruleset({"category": {"id": "acc", "name": "适老化", "kind": "base"},
                              "indicators": [{"id": "accessibility.elderly", "name": "适老化改造", "weight": 5,
                                              "criteria": [{"id": "elderly_mode", "kind": "judged",
                                                            "observation": "elderly_mode", "share": "100%"}]}]})
        unit = unit_builder("u1", "测试局").observe("accessibility.elderly", elderly_mode=True)
        result = score([unit], rules=rules, registry=registry)
        assert result.units[0].leaf("accessibility.elderly").score == Fraction(5)

Core modules are imported lazily, inside the functions: loading this pytest plugin costs nothing.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import subprocess
import sys
import tempfile
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, Union

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from .plugins import Registry
    from .result import UnitResult
    from .runner import RunResult

__all__ = [
    "UnitBuilder", "make_registry", "write_ruleset", "score", "unit_result", "dump_yaml", "pip_install_target",
    "govscore_registry", "tiny_ruleset", "unit_builder",
]

DEFAULT_PERIOD = ("2023-01-01", "2023-12-31")
"""The run period a tiny rule set gets when it extends nothing and none is given."""


# --- registry ------------------------------------------------------------------------------------

def make_registry(extra: Sequence[tuple[str, Any]] | None = None, entry_points: bool = False,
                  disabled: Iterable[str] | None = None) -> "Registry":
    """A fresh plugin manager and registry: govscore's built-ins plus `extra`.

    Args:
        extra: ``[(name, module_or_object), ...]``: the plugins under test, registered after the
            built-ins exactly as an entry point would be (their hooks are called, their rule sets
            registered by name). ``name`` is what ``govscore plugins`` would show.
        entry_points: also load installed third-party plugins (group ``govscore.plugins``). Off by
            default so that a test does not depend on what else is installed; do not pass the same
            plugin both as an installed entry point and in `extra` (pluggy refuses the second one).
        disabled: entry-point names to skip (default: none, whatever GOVSCORE_DISABLE_PLUGINS says).

    Returns:
        A :class:`govscore.core.plugins.Registry`: ``registry.indicators["x.y"].plugin`` names who
        contributed an indicator, ``registry.ruleset_paths()`` maps rule-set names to folders.

    Raises:
        PluginError: a contribution is invalid or a duplicate (the message names both plugins).
    """
    from .plugins import load

    return load(extra=list(extra or []), entry_points=entry_points, disabled=set(disabled or ()))


@pytest.fixture
def govscore_registry():
    """Factory: ``govscore_registry(extra=[("name", module)], entry_points=False) -> Registry``.

    See :func:`make_registry`. Each call builds a new plugin manager, so tests never share state.
    """
    return make_registry


# --- YAML ----------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """Values YAML can write: Fractions as "n/d" text, Decimals as text, tuples and sets as lists."""
    if isinstance(value, UnitBuilder):
        return _plain(value.build())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [_plain(v) for v in sorted(value, key=str)]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str, float, _dt.date)):
        return value
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to a YAML evidence or rule file")


def dump_yaml(data: Any, path: Path) -> Path:
    """Write `data` (dicts, lists, str, numbers, dates, Fractions) as block-style UTF-8 YAML to `path`."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(_plain(data), fh)
    return path


# --- rule sets -----------------------------------------------------------------------------------

RuleContent = Union[None, str, Mapping[str, Any]]


def _is_file_map(content: Mapping) -> bool:
    return bool(content) and all(isinstance(k, str) and k.endswith((".yaml", ".yml")) for k in content)


def write_ruleset(dest: Path, content: RuleContent = None, *, name: str = "tiny", extends: str | None = None,
                  period: tuple[Any, Any] | None = None, as_of: Any = None, header: Mapping[str, Any] | None = None) -> Path:
    """Write a rule-set folder to `dest` and return it (pass the path as ``rules=`` or ``--rules``).

    Args:
        dest: the folder to create (it must not exist yet or be empty).
        content: the rule files, in one of three shapes:

            - one category file as a dict: ``{"category": {"id": "demo", "name": "示例", "kind": "base"},
              "indicators": [{"id": "demo.widget", "name": "部件", "weight": 4, "criteria": [...]}]}``,
              written as ``<category id>.yaml`` (``rules.yaml`` when it has no category: header, i.e.
              it only overrides indicators of the parent);
            - one category file as YAML text (dedented), written as ``rules.yaml``;
            - several files: ``{"demo.yaml": dict or YAML text, ...}``; a ``"ruleset.yaml"`` key gives
              the header (then `name`, `extends`, `period`, `as_of` and `header` are ignored).

            None writes only ``ruleset.yaml`` (a child that changes run defaults only).
        name: the rule set's ``name:``.
        extends: a parent rule set, by name (``"2023-zengdu"``, or one a plugin registers) or path.
        period: ``(start, end)`` dates or ISO texts. Default: the parent's (inherited along extends);
            2023-01-01..2023-12-31 when the rule set extends nothing.
        as_of: the monitoring date; default the parent's, or the period's end.
        header: more ``ruleset.yaml`` keys (``scoring``, ``settings``, ``title`` ...), applied last.

    Returns:
        `dest`, holding ``ruleset.yaml`` and the rule files.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: write each rule set to a folder of its own")
    files: dict[str, Any] = {}
    if isinstance(content, str):
        files["rules.yaml"] = content
    elif isinstance(content, Mapping) and _is_file_map(content):
        files.update(content)
    elif isinstance(content, Mapping):
        cat = content.get("category")
        cid = cat.get("id") if isinstance(cat, Mapping) else None
        files[f"{cid}.yaml" if cid else "rules.yaml"] = content
    elif content is not None:
        raise TypeError("content is a category dict, YAML text, or a dict of file name -> content")
    if "ruleset.yaml" not in files:
        head: dict[str, Any] = {"name": name}
        if extends:
            head["extends"] = str(extends)
        if period is None and not extends:
            period = DEFAULT_PERIOD
        if period is not None or as_of is not None:
            run: dict[str, Any] = {}
            if period is not None:
                start, end = (_dt.date.fromisoformat(p) if isinstance(p, str) else p for p in period)
                run["period"] = {"start": start, "end": end}
            if as_of is not None:
                run["as_of"] = _dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
            head["run"] = run
        head.update(header or {})
        files = {"ruleset.yaml": head, **files}
    for fname, body in files.items():
        path = dest / fname
        if isinstance(body, str):
            path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
        else:
            dump_yaml(body, path)
    return dest


@pytest.fixture
def tiny_ruleset(tmp_path: Path):
    """Factory: ``tiny_ruleset(content, name="tiny", extends=None, period=None, as_of=None, header=None) -> Path``.

    Writes a rule-set folder under ``tmp_path/rulesets/`` (a new folder per call) and returns it; see
    :func:`write_ruleset` for the shapes of `content`. Without `extends` the rule set stands alone and
    needs only the plugins under test; with ``extends="2023-zengdu"`` it inherits the whole 2023
    rubric (and then depends on the built-in 2023 plugins).
    """
    root = tmp_path / "rulesets"
    counter = [0]

    def make(content: RuleContent = None, **kwargs: Any) -> Path:
        counter[0] += 1
        folder = root / f"{kwargs.get('name', 'tiny')}-{counter[0]}"
        return write_ruleset(folder, content, **kwargs)

    return make


# --- evidence ------------------------------------------------------------------------------------

class UnitBuilder:
    """Builds one unit's evidence dict, the shape of an evidence file (docs/architecture.md, Evidence)::

        UnitBuilder("u1", "测试局")                                   # kind="department" | "town"
            .observe("disclosure.overview", up_to_date=True, consistent=0.5)
            .observe("portal.maintenance", broken_links={"value": 2, "source": "https://...", "checked_at": "2023-11-20"})
            .item("portal.consultation", "messages", asked_at="2023-09-28 16:00", answered_at="2023-10-07 09:30", accurate=True)
            .account("wechat", "曾都发改", kind="publishing", filed=True, posts=["2023-01-03"])
            .adjust("portal.maintenance", points=1, reason="复核", decided_by="区政务公开办", decided_on="2024-01-15")
            .build()
        == {"unit": {"id": "u1", "name": "测试局", "kind": "department"},
            "observations": {"disclosure.overview": {"up_to_date": True, "consistent": 0.5}, ...},
            "accounts": [{"platform": "wechat", ...}], "adjustments": [{...}]}

    Every method returns the builder; ``build()`` returns a fresh deep copy, so one builder can serve
    several variants. Values are written as an evaluator would write them (True, "是", 0.5, "1/2",
    dates as date objects or ISO text); the indicator's evidence model validates them when scored.
    """

    def __init__(self, unit_id: str, name: str | None = None, kind: str = "department") -> None:
        self._unit = {"id": unit_id, "name": name or f"单位{unit_id}", "kind": kind}
        self._observations: dict[str, dict[str, Any]] = {}
        self._accounts: list[dict[str, Any]] = []
        self._adjustments: list[dict[str, Any]] = []

    def observe(self, indicator: str, values: Mapping[str, Any] | None = None, /, **observations: Any) -> "UnitBuilder":
        """Record observations of `indicator` (merged with earlier ones; later values win).

        Give them as keywords, or as a dict for names that are not identifiers. A value may carry its
        provenance: ``{"value": 2, "source": "https://...", "checked_at": "2023-11-20", "note": "..."}``.
        ``observe("x.y")`` alone records the indicator with no observations.
        """
        obs = self._observations.setdefault(indicator, {})
        obs.update(dict(values or {}))
        obs.update(observations)
        return self

    def item(self, indicator: str, list_name: str, values: Mapping[str, Any] | None = None, /, **fields: Any) -> "UnitBuilder":
        """Append one item to a list observation (``messages`` of portal.consultation, ``repost_checks`` ...)."""
        obs = self._observations.setdefault(indicator, {})
        obs.setdefault(list_name, []).append({**dict(values or {}), **fields})
        return self

    def account(self, platform: str, name: str, kind: str = "publishing", filed: Any = True,
                posts: Iterable[Any] = (), **extra: Any) -> "UnitBuilder":
        """Add a new-media account: platform, name, kind (publishing | service), filed, posts (dates),
        and optionally opened_on / closed_on."""
        self._accounts.append({"platform": platform, "name": name, "kind": kind, "filed": filed,
                               "posts": list(posts), **extra})
        return self

    def adjust(self, indicator: str, *, reason: str, decided_by: str, decided_on: Any,
               points: Any = None, set_to: Any = None) -> "UnitBuilder":
        """Add an appeal adjustment (复核) of `indicator`: ``points`` (+/-) or ``set_to``, on record."""
        adj: dict[str, Any] = {"indicator": indicator, "reason": reason, "decided_by": decided_by, "decided_on": decided_on}
        if points is not None:
            adj["points"] = points
        if set_to is not None:
            adj["set_to"] = set_to
        self._adjustments.append(adj)
        return self

    @property
    def unit_id(self) -> str:
        return self._unit["id"]

    def build(self) -> dict[str, Any]:
        """The evidence dict of the unit (a deep copy); keys without content are left out."""
        out: dict[str, Any] = {"unit": dict(self._unit)}
        if self._accounts:
            out["accounts"] = self._accounts
        out["observations"] = self._observations
        if self._adjustments:
            out["adjustments"] = self._adjustments
        return copy.deepcopy(out)


@pytest.fixture
def unit_builder():
    """Factory: ``unit_builder(unit_id, name=None, kind="department") -> UnitBuilder``; see :class:`UnitBuilder`."""
    return UnitBuilder


# --- scoring -------------------------------------------------------------------------------------

Evidence = Union[Mapping[str, Any], UnitBuilder]


def score(evidence: Union[Evidence, Sequence[Evidence]], rules: Union[str, Path], registry: "Registry | None" = None,
          engine: str = "durable", *, as_of: _dt.date | None = None, period: tuple[_dt.date, _dt.date] | None = None,
          strict: bool = False, workdir: Path | None = None, allow_failures: bool = False) -> "RunResult":
    """Score units the way ``govscore score`` does and return the run's result.

    Args:
        evidence: one unit or a list of units, each an evidence dict (``{"unit": {...},
            "observations": {...}, "accounts": [...]}``) or a :class:`UnitBuilder`.
        rules: a rule-set name (registered by a plugin of `registry`) or a rule-set folder (e.g. from
            ``tiny_ruleset``).
        registry: the plugin registry (``govscore_registry(extra=[...])``); default: the built-ins only,
            no entry points.
        engine: ``"durable"`` (durable_rules) or ``"reference"`` (the pure-Python backend); both must agree.
        as_of, period: override the rule set's run defaults.
        strict: fail a unit that leaves an observation unrecorded.
        workdir: where to write ``units.yaml`` (kept for inspection); default a temporary folder,
            removed afterwards (error locations still name the file and line).
        allow_failures: return units that failed in ``result.failures``; by default any failure raises
            AssertionError with every message, so a test never inspects a half-scored run by accident.

    Returns:
        A :class:`govscore.core.runner.RunResult`: ``result.units`` (ranked
        :class:`~govscore.core.result.UnitResult`; ``unit.leaf("x.y").score`` is an exact Fraction,
        ``.audit`` the lines behind it, ``.missing`` the unrecorded observations), ``result.failures``.

    Raises:
        RuleSetError / ErrorList / PluginError: the rule set or a plugin is invalid (nothing scored).
        AssertionError: a unit failed and `allow_failures` is False.
    """
    from .runner import RunOptions, run

    if isinstance(evidence, (Mapping, UnitBuilder)):
        evidence = [evidence]
    units = [_plain(u) for u in evidence]
    registry = registry if registry is not None else make_registry()
    options = RunOptions(rules=str(rules), as_of=as_of, period=period, engine=engine, strict=strict)

    def go(folder: Path) -> "RunResult":
        path = dump_yaml(units, Path(folder) / "units.yaml")
        return run([path], options, registry=registry)

    if workdir is not None:
        result = go(Path(workdir))
    else:
        with tempfile.TemporaryDirectory(prefix="govscore-test-") as tmp:
            result = go(Path(tmp))
    if result.failures and not allow_failures:
        lines = [m for f in result.failures for m in f.messages()]
        raise AssertionError("units failed to score:\n" + "\n".join(lines))
    return result


def unit_result(result: "RunResult", unit_id: str) -> "UnitResult":
    """The :class:`~govscore.core.result.UnitResult` of `unit_id`; AssertionError (with its errors) if it failed."""
    for u in result.units:
        if u.unit_id == unit_id:
            return u
    for f in result.failures:
        if f.unit_id == unit_id:
            raise AssertionError(f"unit {unit_id} failed to score:\n" + "\n".join(f.messages()))
    raise AssertionError(f"no unit {unit_id} in the run (units: {', '.join(u.unit_id for u in result.units)})")


# --- installing a plugin package -----------------------------------------------------------------

def _can_build_wheels_here() -> bool:
    """True when this interpreter's setuptools can build a wheel without fetching anything."""
    try:
        import setuptools
    except ImportError:
        return False
    try:
        major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    except ValueError:
        return False
    if (major, minor) >= (70, 1):  # bdist_wheel moved into setuptools
        return True
    if major < 61:  # no [project] table support
        return False
    import importlib.util

    return importlib.util.find_spec("wheel") is not None


def pip_install_target(project: Path, target: Path, *, quiet: bool = True) -> Path:
    """``pip install --no-deps --target TARGET PROJECT``: a plugin package installed into a folder.

    A subprocess run with ``PYTHONPATH=TARGET`` then finds the package and, through its dist-info,
    its ``govscore.plugins`` entry point, as if it were installed. Build isolation is switched off
    when this interpreter's setuptools can build wheels (setuptools >= 70.1, or >= 61 with ``wheel``),
    so nothing is downloaded; otherwise pip builds in an isolated environment from its configured index.
    Build a copy of the project (pip writes ``build/`` and ``*.egg-info`` into the folder it builds).

    Raises:
        RuntimeError: pip failed; the message holds pip's output.
    """
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "--no-input",
           "--target", str(target)]
    if _can_build_wheels_here():
        cmd.append("--no-build-isolation")
    if quiet:
        cmd.append("--quiet")
    cmd.append(str(project))
    env = dict(os.environ, PIP_NO_INPUT="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return Path(target)
