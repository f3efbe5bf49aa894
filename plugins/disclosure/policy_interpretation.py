"""政策解读 (disclosure.policy_interpretation): 考核各地各部门通过政府网站开展政策解读的情况。

Rubric 2023, 政府信息公开 / 政策解读 (weight 5):
1. 对涉及面广、社会关注度高的政策文件的解读比例（随机抽查已发布的2个政策文件），15% -> interpreted: how many
   of the sampled documents are interpreted; credit = interpreted / sample size (2);
2. 政策解读形式多样（通过图文〔视频、动漫、新闻发布会〕等多种形式开展解读），10% -> diverse_forms (judged);
3. 政策解读内容紧扣背景依据、政策措施、关键词等方面，10% -> content_focused (judged);
4. 政策文件制发部门或牵头起草部门对我区发布的政策文件进行解读，20% -> drafter_interprets (judged);
5. 政策解读稿与被解读的政策文件相互关联的情况（随机抽查网站已发布的2个解读稿），15% -> cross_linked: how
   many of the sampled interpretations link to their document; credit = cross_linked / 2;
6. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，30% -> consistent (judged).
注: 监测时间点前6个月内政策解读类一级栏目未更新、突击发布、弄虚作假 -> 该指标不得分 (vetoes stale on
last_updated, burst_publishing, falsified); 图文、视频解读出现照搬政策原文、简单摘抄文件内容等情况的，解读形式
指标不得分 -> copied_text vetoes the criterion diverse_forms only.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Count, Day, Flag, Judgement, Observations


class Evidence(Observations):
    """Observations of 政策解读.

    interpreted: sampled policy documents that are interpreted (of 2); diverse_forms; content_focused;
    drafter_interprets; cross_linked: sampled interpretations linked with their document (of 2);
    consistent; last_updated: the latest item date of the 政策解读 column; copied_text (照搬政策原文、简单
    摘抄), burst_publishing, falsified: default false.
    """

    interpreted: Count = None
    diverse_forms: Judgement = None
    content_focused: Judgement = None
    drafter_interprets: Judgement = None
    cross_linked: Count = None
    consistent: Judgement = None
    last_updated: Day = None
    copied_text: Flag = False
    burst_publishing: Flag = False
    falsified: Flag = False


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.policy_interpretation", evidence=Evidence,
                           rule_kinds=("judged", "ratio", "flag", "stale"), display_name="政策解读"))
