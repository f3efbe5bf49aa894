"""机构职能 (disclosure.functions): 考核机构职能栏目的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 机构职能 (weight 2):
1. 规范发布各地、各部门的机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名等机构信息情况，50%
   -> published_fields, a checklist of 6 items (functions, structure, address, office_hours, contact,
   head); credit = items present / 6;
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，50% -> consistent (judged).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Judgement, Observations


class Evidence(Observations):
    """Observations of 机构职能.

    published_fields: which of 机关职能 (functions), 机构设置 (structure), 办公地址 (address), 办公时间
    (office_hours), 联系方式 (contact), 负责人姓名 (head) are published; consistent: 栏目内容与栏目名称一致.
    """

    published_fields: Checklist = None
    consistent: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.functions", evidence=Evidence, rule_kinds=("judged", "checklist"),
                           display_name="机构职能"))
