"""专题专栏 (disclosure.special_topics): 考核各部门结合核心业务职能策划相关专题专栏，集中在网站发布各类资源的情况。

Rubric 2023, 政府信息公开 / 专题专栏（中心宣传工作） (weight 3):
1. 年度重点工作专栏及特色业务专栏的开设数量，30% -> topic_columns (count); 0 -> nothing, >= 1 -> the
   whole share (the source gives no threshold: known defect 7; the threshold is a band of the rule file);
2. 栏目体系合理，分类公开各类信息资源的情况 ...，50% -> structured (judged);
3. 栏目内容与栏目名称的一致性、匹配度，不存在关联性不高的信息噪音，20% -> consistent (judged).
注: 存在栏目更新不及时、突击发布或弄虚作假等情况，该指标不得分 -> vetoes stale (last_updated; 6 months by
default, known defect 9), burst_publishing, falsified.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Count, Day, Flag, Judgement, Observations


class Evidence(Observations):
    """Observations of 专题专栏.

    topic_columns: number of 年度重点工作专栏 and 特色业务专栏 opened; structured: 栏目体系合理、分类公开;
    consistent; last_updated: the latest item date of the unit's topic columns; burst_publishing,
    falsified: default false.
    """

    topic_columns: Count = None
    structured: Judgement = None
    consistent: Judgement = None
    last_updated: Day = None
    burst_publishing: Flag = False
    falsified: Flag = False


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.special_topics", evidence=Evidence,
                           rule_kinds=("judged", "bands", "flag", "stale"), display_name="专题专栏"))
