"""人大代表建议、政协委员提案办理情况 (disclosure.proposals).

Rubric 2023, 政府信息公开 / 基本信息公开 / 人大代表建议、政协委员提案办理情况 (weight 2; the source gives no
指标说明):
1. 评估公开人大代表建议、政协委员提案的答复全文、办理工作动态、办理年度总体情况，90% -> published, a
   checklist of 3 items (reply_full_text, progress, annual_summary); credit = items present / 3;
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，10% -> consistent (judged).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Judgement, Observations


class Evidence(Observations):
    """Observations: published (答复全文 reply_full_text, 办理工作动态 progress, 办理年度总体情况
    annual_summary); consistent."""

    published: Checklist = None
    consistent: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.proposals", evidence=Evidence, rule_kinds=("judged", "checklist"),
                           display_name="人大代表建议、政协委员提案办理情况"))
