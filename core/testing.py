"""Pytest fixtures for plugin authors (loaded as a pytest plugin through the pytest11 entry point).

Fixtures:
- ``govscore_registry``: a fresh plugin registry with the built-ins and the given extra plugins.
- ``tiny_ruleset``: writes a small rule set folder (extending nothing) and returns its path.
- ``unit_builder``: builds a unit's evidence dict step by step.
"""

from __future__ import annotations
