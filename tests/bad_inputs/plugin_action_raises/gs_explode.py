"""A third-party plugin whose rule kind's credit function raises on one value (the test installs it
with an entry point through a dist-info folder on PYTHONPATH)."""

from fractions import Fraction

from govscore.core.conditions import cmp
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations
from govscore.core.rulekinds import Draft, Params, RuleKind
from govscore.core.ruleset.models import Share


class ExplodeParams(Params):
    observation: str
    share: Share


def credit(p, extra, values):
    v = values[p.observation]
    if v == Fraction(1, 2):
        raise ValueError("cannot credit a half")
    return v


class Evidence(Observations):
    a: Judgement = None


@hookimpl
def register_rule_kinds(register):
    register(RuleKind("explode", "award", "judged, but raises on 1/2", ExplodeParams,
                      lambda p, ctx: [Draft(cmp(p.observation, "gt", 0), p.share)],
                      credit, lambda p: [(None, p.observation)], lambda p: p.share))


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="test.explode", evidence=Evidence, rule_kinds=("explode",), display_name="爆炸"))
