"""民意征集 (portal.opinion_collection): 考核单位民意征集渠道建设情况、内容维护情况、功能实现情况以及征集实效情况。

Rubric 2023, 互动交流 / 民意征集 (weight 3):
1. 围绕政府决策、重点工作、用户关注热点开展意见征集，50% -> solicitations (judged);
2. 公开收到意见的总体情况，50% -> feedback_published (judged).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations


class Evidence(Observations):
    """Observations of 民意征集: solicitations (开展意见征集), feedback_published (公开收到意见的总体情况)."""

    solicitations: Judgement = None
    feedback_published: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="portal.opinion_collection", evidence=Evidence, rule_kinds=("judged",),
                           display_name="民意征集"))
