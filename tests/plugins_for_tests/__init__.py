"""Plugins and shared cases for the core tests (independent of the real 2023 indicator plugins)."""
