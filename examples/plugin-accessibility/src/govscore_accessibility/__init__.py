"""govscore-accessibility: the 2024 indicator 适老化改造 (accessibility.elderly) as a govscore plugin.

The plugin module is :mod:`govscore_accessibility.plugin` (entry point ``accessibility`` in the
``govscore.plugins`` group); its rule set ``2024-example`` ships under ``rules/``.
"""

__version__ = "0.1.0"
