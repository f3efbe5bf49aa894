"""互动交流 (newmedia.interaction), 4 points.

Rubric 2023, 政务新媒体 / 互动交流 (指标说明: 政务新媒体提供政务咨询渠道及留言反馈情况。):

1. 提供在线政务咨询功能（网上信访、纪检举报等专门渠道除外），50% -> ``consultation_available``;
2. 留言回复及时，50% -> ``replies_timely``.
Both are the evaluator's judgment (yes/no or a fraction 0-1); the source states no rule for either.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations

ID = "newmedia.interaction"


class Evidence(Observations):
    """Observations: consultation_available (在线政务咨询功能), replies_timely (留言回复及时)."""

    consultation_available: Judgement = None
    replies_timely: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("judged",), display_name="互动交流"))
