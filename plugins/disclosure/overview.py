"""概况信息 (disclosure.overview): 考核概况信息栏目的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 概况信息: 1. up_to_date 50%; 2. consistent 50%.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations


class Evidence(Observations):
    """Observations: up_to_date (最新概况信息), consistent (栏目内容与栏目名称一致)."""

    up_to_date: Judgement = None
    consistent: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.overview", evidence=Evidence, rule_kinds=("judged",), display_name="概况信息"))
