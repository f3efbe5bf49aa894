"""行政监管执法信息 (disclosure.enforcement): 考核行政监管执法信息情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 行政监管执法信息 (weight 2):
1. 公开“双随机”抽查计划、抽查对象、抽查结果等信息情况，30% -> double_random, a checklist of 3 items
   (plan, objects, results); credit = items present / 3;
2. 公开行政执法统计年度报告情况；30% -> annual_statistics_report (judged);
3. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，10% -> consistent (judged).

Known defect 2 (rubric-2023.md): the shares sum to 70%.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Judgement, Observations


class Evidence(Observations):
    """Observations of 行政监管执法信息.

    double_random: which of 抽查计划 (plan), 抽查对象 (objects), 抽查结果 (results) are published;
    annual_statistics_report: 行政执法统计年度报告 published; consistent.
    """

    double_random: Checklist = None
    annual_statistics_report: Judgement = None
    consistent: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.enforcement", evidence=Evidence, rule_kinds=("judged", "checklist"),
                           display_name="行政监管执法信息"))
