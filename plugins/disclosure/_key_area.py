"""Shared by the three key areas of 重点领域信息公开 (not registered itself: its name starts with _).

Rubric 2023, 政府信息公开 / 重点领域信息公开 / 重大建设项目, 公益事业建设, 公共资源配置 (weight 6 each):
1. 栏目体系合理 ... 分类公开 ..., 50% -> structured (judged; the 附录一–三 it cites are not part of the
   source, known defect 11);
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，50% -> consistent (judged).
注: 存在栏目更新不及时、突击发布或弄虚作假等情况，该指标不得分 -> vetoes stale (on last_updated; the source
gives no period here, 6 months by default as for 政策文件, known defect 9), burst_publishing, falsified.
说明: 不涉及重点领域信息公开考核的单位，该项分值平均分配到“政府信息公开”其他指标中 -> applicable (default
true); when false the leaf's weight is redistributed by the rule set's normalisation policy.
"""

from pydantic import Field

from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Applicable, Day, Flag, Judgement, Observations

KEY_AREA_KINDS = ("judged", "flag", "stale")


class KeyAreaEvidence(Observations):
    """Observations of a key area.

    applicable: the unit is assessed on this key area (default true); structured: 栏目体系合理、分类公开;
    consistent: 栏目内容与栏目名称一致; last_updated: the column's latest item date; burst_publishing
    (突击发布) and falsified (弄虚作假): default false.
    """

    applicable: Applicable = Field(True, description="是否涉及本重点领域信息公开考核（不涉及填“否”，分值平均分配到政府信息公开其他指标）")
    structured: Judgement = None
    consistent: Judgement = None
    last_updated: Day = None
    burst_publishing: Flag = False
    falsified: Flag = False


def key_area_spec(indicator_id: str, evidence: type[KeyAreaEvidence], display_name: str) -> IndicatorSpec:
    """The IndicatorSpec of a key area (same rule kinds for all three)."""
    return IndicatorSpec(id=indicator_id, evidence=evidence, rule_kinds=KEY_AREA_KINDS, display_name=display_name)
