"""Loading plugins and collecting their contributions into a :class:`Registry`.

Built-in plugins (core's own kinds, policies and writers in :mod:`govscore.core.builtin`, and every
indicator module under ``govscore.plugins``) are registered exactly like third-party plugins, which
load through the entry-point group ``govscore.plugins``. Built-ins always load;
``GOVSCORE_DISABLE_PLUGINS`` (comma-separated entry-point names) skips third-party ones. A third-party
plugin that fails to import is recorded with the reason: listing and validating still report
everything else, scoring refuses to run.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .errors import Location, PluginError
from .hookspecs import PROJECT

ENTRY_POINT_GROUP = "govscore.plugins"
HOOK_ORDER = ("register_rule_kinds", "register_normalisation_policies", "register_indicators",
              "register_derivations", "register_rulesets", "register_report_writers")


@dataclass
class PluginInfo:
    """One loaded (or failed) plugin, for ``govscore plugins``."""

    name: str
    builtin: bool
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    hooks: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Contribution:
    value: Any
    plugin: str


@dataclass
class Registry:
    """Everything the plugins contributed, by kind and name, with the contributing plugin."""

    indicators: dict[str, Contribution] = field(default_factory=dict)
    rule_kinds: dict[str, Contribution] = field(default_factory=dict)
    derivations: dict[str, Contribution] = field(default_factory=dict)
    rulesets: dict[str, Contribution] = field(default_factory=dict)
    normalisation_policies: dict[str, Contribution] = field(default_factory=dict)
    report_writers: dict[str, Contribution] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)
    manager: pluggy.PluginManager | None = None

    @property
    def failed(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.error]

    def ruleset_paths(self) -> dict[str, Path]:
        return {k: Path(c.value) for k, c in self.rulesets.items()}

    def require_healthy(self) -> None:
        """Raise PluginError (exit 2) when a plugin failed to load: scoring must not run without it."""
        if self.failed:
            p = self.failed[0]
            raise PluginError("plugin {name} failed to load: {reason}; scoring refuses to run without it "
                              "(set GOVSCORE_DISABLE_PLUGINS={name} to skip it)", {"name": p.name, "reason": p.error})


def builtin_modules() -> list[str]:
    """Import paths of the built-in plugin modules: core's own and every module under plugins/."""
    mods = ["govscore.core.builtin"]
    import govscore.plugins as pkg

    for sub in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        if not sub.ispkg:
            continue
        subpkg = importlib.import_module(sub.name)
        mods.append(sub.name)
        for mod in sorted(pkgutil.iter_modules(subpkg.__path__, subpkg.__name__ + "."), key=lambda m: m.name):
            if not mod.name.rsplit(".", 1)[-1].startswith("_"):
                mods.append(mod.name)
    return mods


def _new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _register_module(pm: pluggy.PluginManager, name: str, module: ModuleType, info: PluginInfo, infos: list) -> None:
    pm.register(module, name=name)
    info.hooks = sorted(h.name for h in (pm.get_hookcallers(module) or []))
    infos.append(info)


def load(extra: list[tuple[str, Any]] | None = None, entry_points: bool = True,
         disabled: set[str] | None = None) -> Registry:
    """Build a plugin manager and the registry of contributions.

    Args:
        extra: (name, plugin object or module) pairs registered after the built-ins, the way tests and
            embedding code add a plugin.
        entry_points: load third-party plugins from the ``govscore.plugins`` entry-point group.
        disabled: names to skip (default: from GOVSCORE_DISABLE_PLUGINS).

    Besides entry points, ``GOVSCORE_PLUGINS`` may name importable modules (``module`` or
    ``module:attribute``, comma-separated) to register as plugins.

    Returns:
        The :class:`Registry`; failed plugins are listed in ``registry.failed``.

    Raises:
        PluginError: a contribution is invalid or a duplicate (names both plugins).
    """
    pm = _new_manager()
    infos: list[PluginInfo] = []
    if disabled is None:
        disabled = {x.strip() for x in os.environ.get("GOVSCORE_DISABLE_PLUGINS", "").split(",") if x.strip()}
    for modname in builtin_modules():
        module = importlib.import_module(modname)
        short = modname.replace("govscore.plugins.", "").replace("govscore.core.", "core.")
        _register_module(pm, short, module, PluginInfo(short, True, "govscore", _dist_version("govscore"), modname), infos)
    if entry_points:
        for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist.name if ep.dist else None
            version = ep.dist.version if ep.dist else None
            if ep.name in disabled:
                continue
            if pm.has_plugin(ep.name):
                continue
            try:
                obj = ep.load()
            except Exception as exc:  # any import error of someone else's code is reported, not raised
                infos.append(PluginInfo(ep.name, False, dist, version, ep.value, [], f"{type(exc).__name__}: {exc}"))
                continue
            _register_module(pm, ep.name, obj, PluginInfo(ep.name, False, dist, version, ep.value), infos)
    # GOVSCORE_PLUGINS="module[:attribute],...": plugins that are importable but not installed as a
    # distribution (a plugin under development, a test's plugin), the way PYTEST_PLUGINS works
    for spec in [x.strip() for x in os.environ.get("GOVSCORE_PLUGINS", "").split(",") if x.strip()]:
        if spec in disabled:
            continue
        modname, _sep, attr = spec.partition(":")
        try:
            obj = importlib.import_module(modname)
            if attr:
                obj = getattr(obj, attr)
        except Exception as exc:  # reported like a third-party plugin that fails to import
            infos.append(PluginInfo(spec, False, None, None, spec, [], f"{type(exc).__name__}: {exc}"))
            continue
        if not pm.is_registered(obj):
            _register_module(pm, spec, obj, PluginInfo(spec, False, None, None, spec), infos)
    for name, obj in extra or []:
        _register_module(pm, name, obj, PluginInfo(name, False, None, None, getattr(obj, "__name__", repr(obj))), infos)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError("a plugin implements a hook govscore does not define: {reason}", {"reason": str(exc)}) from None
    reg = Registry(plugins=infos, manager=pm)
    _collect(pm, reg)
    return reg


def _dist_version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def _collect(pm: pluggy.PluginManager, reg: Registry) -> None:
    from .derivations import Derivation
    from .indicator import IndicatorSpec
    from .normalise import NormalisationPolicy
    from .reports.base import ReportWriter
    from .rulekinds import RuleKind

    def adder(table: dict, what: str, plugin: str, expected: type | None):
        def register(*args):
            if len(args) == 1:
                value = args[0]
                key = getattr(value, "id", None) or getattr(value, "name", None)
            elif len(args) == 2:
                key, value = args
            else:
                raise PluginError("plugin {plugin}: register() takes one contribution or (name, value)", {"plugin": plugin})
            if expected is not None and not isinstance(value, expected):
                raise PluginError("plugin {plugin} registered a {found} as a {what}; expected {expected}",
                                  {"plugin": plugin, "found": type(value).__name__, "what": what, "expected": expected.__name__})
            if not key or not isinstance(key, str):
                raise PluginError("plugin {plugin} registered a {what} without a name", {"plugin": plugin, "what": what})
            if key in table:
                raise PluginError("{what} {key} is registered twice: by {first} and by {second}",
                                  {"what": what, "key": key, "first": table[key].plugin, "second": plugin})
            table[key] = Contribution(value, plugin)
        return register

    specs = {
        "register_rule_kinds": (reg.rule_kinds, "rule kind", RuleKind),
        "register_normalisation_policies": (reg.normalisation_policies, "normalisation policy", NormalisationPolicy),
        "register_indicators": (reg.indicators, "indicator", IndicatorSpec),
        "register_derivations": (reg.derivations, "derivation", Derivation),
        "register_rulesets": (reg.rulesets, "rule set", None),
        "register_report_writers": (reg.report_writers, "report writer", ReportWriter),
    }
    for hook_name in HOOK_ORDER:
        table, what, expected = specs[hook_name]
        caller = getattr(pm.hook, hook_name)
        # get_hookimpls() lists implementations in registration order (pluggy *calls* them in reverse);
        # contributions are taken in registration order, so a duplicate names the earlier plugin first
        for impl in caller.get_hookimpls():
            try:
                impl.function(register=adder(table, what, impl.plugin_name, expected))
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError("plugin {plugin} failed in {hook}: {reason}",
                                  {"plugin": impl.plugin_name, "hook": hook_name, "reason": f"{type(exc).__name__}: {exc}"},
                                  Location()) from None
    for name, c in reg.rulesets.items():
        p = Path(c.value)
        if not (p / "ruleset.yaml").is_file():
            raise PluginError("plugin {plugin} registered rule set {name} at {path}, which has no ruleset.yaml",
                              {"plugin": c.plugin, "name": name, "path": str(p)})
