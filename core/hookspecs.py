"""The govscore plugin API: every hook a plugin may implement.

API version :data:`API_VERSION`. Hooks follow the register-callback style of simonw/llm: each hook
receives a ``register`` callable and calls it once per contribution. Core validates every contribution
as it is registered, refuses a duplicate with an error naming both plugins, and records which plugin
contributed it (shown by ``govscore plugins`` and in audit trails).

Built-in plugins (the modules under ``plugins/``) are registered exactly like third-party plugins,
which load through the entry-point group ``govscore.plugins``.

Hooks are called once per plugin manager, in this order, when :func:`govscore.core.plugins.load`
builds the registry: register_rule_kinds, register_normalisation_policies, register_indicators,
register_derivations, register_rulesets, register_report_writers. No hook returns a value.
"""

from __future__ import annotations

import pluggy

API_VERSION = 1
"""Bumped when a hook's signature or a contribution's shape changes incompatibly."""

PROJECT = "govscore"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_indicators(register):
    """Contribute indicators.

    Called once while the registry is built. Call ``register(spec)`` with a
    :class:`govscore.core.indicator.IndicatorSpec` per indicator: its stable id (e.g.
    ``"disclosure.overview"``), its evidence model (a pydantic model of the observations an
    evaluator records, see :mod:`govscore.core.observations`), the rule kinds its rules may use,
    and the lists it owns. One indicator per plugin module is the convention.
    """


@hookspec
def register_rule_kinds(register):
    """Contribute kinds of declarative rule.

    Called once while the registry is built, before indicators. Call ``register(kind)`` with a
    :class:`govscore.core.rulekinds.RuleKind`: its name (used as ``kind:`` in rule files), a
    description shown by ``validate``, its pydantic parameter model (``extra="forbid"``), how it
    compiles to engine conditions, and how an effect of it turns into credit.
    """


@hookspec
def register_derivations(register):
    """Contribute evidence derivations: raw evidence -> observations.

    Called once while the registry is built. Call ``register(derivation)`` with a
    :class:`govscore.core.derivations.Derivation`: a name, the indicator ids it serves, and a
    function ``derive(unit, context) -> None`` run for every unit before its facts are built, which
    adds derived observations (e.g. message timestamps -> elapsed working days, accounts -> one
    account per platform) and their audit details. It may raise
    :class:`govscore.core.errors.EvidenceError`, which fails that unit only.
    """


@hookspec
def register_rulesets(register):
    """Contribute named rule sets shipped with a plugin.

    Called once while the registry is built. Call ``register(name, path)`` with the rule-set name
    (e.g. ``"2023-zengdu"``) and the folder holding its ``ruleset.yaml``, shipped as package data.
    """


@hookspec
def register_normalisation_policies(register):
    """Contribute weight-normalisation policies.

    Called once while the registry is built. Call ``register(name, policy)`` where ``policy`` is a
    :class:`govscore.core.normalise.NormalisationPolicy`: given a category's leaves and the set that
    is not applicable, it returns each leaf's effective weight and one note per move of weight.
    """


@hookspec
def register_report_writers(register):
    """Contribute report formats for ``govscore score --format NAME``.

    Called once while the registry is built. Call ``register(name, writer)`` where ``writer`` is a
    :class:`govscore.core.reports.ReportWriter`: a file suffix and ``write(run_result, path)``.
    """
