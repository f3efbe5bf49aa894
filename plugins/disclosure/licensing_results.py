"""行政许可结果 (disclosure.licensing_results): 考核行政许可结果公示情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 行政许可结果 (weight 2):
1. 评估公开各类行政许可（含审核、备案）结果信息情况，90% -> published (judged);
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，10% -> consistent (judged).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations


class Evidence(Observations):
    """Observations of 行政许可结果: published (各类行政许可结果信息), consistent."""

    published: Judgement = None
    consistent: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.licensing_results", evidence=Evidence, rule_kinds=("judged",),
                           display_name="行政许可结果"))
