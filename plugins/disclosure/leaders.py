"""领导信息 (disclosure.leaders): 考核领导信息栏目的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 领导信息 (weight 2):
1. 公开本单位主要领导信息包括姓名、职务、分工等信息，50% -> published_fields, a checklist of 3 items
   (name, post, duties); credit = items present / 3;
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，50% -> consistent (judged).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Judgement, Observations


class Evidence(Observations):
    """Observations of 领导信息: published_fields (姓名 name, 职务 post, 分工 duties); consistent."""

    published_fields: Checklist = None
    consistent: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.leaders", evidence=Evidence, rule_kinds=("judged", "checklist"),
                           display_name="领导信息"))
