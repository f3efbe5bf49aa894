"""A test plugin whose observations use pydantic's own types (float, Decimal), as a third-party plugin may:
equal values that are written differently (-0.0 and 0.0, "0.50" and "0.5"), and a float level beside an
integer one."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Level, Observations


class PlainObs(Observations):
    f: Optional[float] = None
    dec: Optional[Decimal] = None
    level: Optional[float] = None
    whole_level: Level = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="p.plain", evidence=PlainObs, display_name="p.plain"))
