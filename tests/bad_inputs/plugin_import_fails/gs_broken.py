"""A third-party plugin that cannot be imported: it needs a package that is not installed."""

import govscore_missing_dependency  # noqa: F401
