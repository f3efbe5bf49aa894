"""政策文件 (disclosure.policy_documents): 考核政策文件栏目的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 政策文件 (weight 2):
1. 评估及时发布行政规范性文件信息情况；40% -> timely (judged);
2. 发布现行有效规范性文件清理结果；40% -> cleanup_published (judged);
3. 随机检查...未实时同步至省法规规章规范性文件数据库，或同步的文件数据存在字段缺失、不规范，附件、解读链接无法
   访问等现象，每发现一条扣10% -> defective_documents (problem count), a deduction of 10% of the weight each;
4. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，10% -> consistent (judged).
注: 监测时间点前6个月内政策文件类一级栏目未及时更新、突击发布或弄虚作假 -> 该指标不得分: vetoes stale (on
last_updated, the column's latest item date), burst_publishing, falsified.

Known defects (rubric-2023.md): 2 (shares sum to 90%), 12 (item 3 may carry the missing 10%: the
disabled criterion no_defects_share of the rule file).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Day, Flag, Judgement, Observations, ProblemCount


class Evidence(Observations):
    """Observations of 政策文件.

    timely: 及时发布行政规范性文件; cleanup_published: 发布现行有效规范性文件清理结果; consistent: 栏目内容与
    栏目名称一致; defective_documents: documents found unsynchronised or defective (default 0);
    last_updated: the latest item date of the 政策文件 column; burst_publishing (突击发布) and
    falsified (弄虚作假): default false.
    """

    timely: Judgement = None
    cleanup_published: Judgement = None
    consistent: Judgement = None
    defective_documents: ProblemCount = 0
    last_updated: Day = None
    burst_publishing: Flag = False
    falsified: Flag = False


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.policy_documents", evidence=Evidence,
                           rule_kinds=("judged", "bands", "deduction", "flag", "stale"), display_name="政策文件"))
