"""govscore's own built-in plugin: rule kinds, normalisation policies, report writers, rule sets.

Registered through the same hooks as any third-party plugin (see :mod:`govscore.core.hookspecs`).
"""

from __future__ import annotations

from pathlib import Path

from .hookspecs import hookimpl


@hookimpl
def register_rule_kinds(register):
    from .rulekinds import BUILTIN_KINDS

    for kind in BUILTIN_KINDS:
        register(kind)


@hookimpl
def register_normalisation_policies(register):
    from .normalise import BUILTIN_POLICIES

    for policy in BUILTIN_POLICIES:
        register(policy.name, policy)


@hookimpl
def register_rulesets(register):
    import govscore.rules as rules_pkg

    root = Path(rules_pkg.__file__).parent
    for folder in sorted(root.iterdir()):
        if (folder / "ruleset.yaml").is_file():
            register(folder.name, folder)


@hookimpl
def register_report_writers(register):
    from .reports import BUILTIN_WRITERS

    for writer in BUILTIN_WRITERS():
        register(writer.name, writer)
