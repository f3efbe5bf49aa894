"""办事服务 (newmedia.services), 6 points.

Rubric 2023, 政务新媒体 / 办事服务 (指标说明: 政务新媒体提供办事、查询服务的情况。):

1. 提供适配移动端办事服务及便民查询服务（提供专属于各单位的查询服务，仅链接到省政务服务网，查询未包含本地区数据的不得分），80%
   -> ``mobile_services`` (false when the account only links to the provincial portal without local data);
2. 栏目设计新颖，查询内容贴合本地实际、采用地图或图形化等高级查询方式的，20% -> ``novel_design``;
（注：存在提供查询但不可用，以及其他弄虚作假情况的，该指标不得分。） -> vetoes ``unusable`` and ``falsified``
(flags, absent = false).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Flag, Judgement, Observations

ID = "newmedia.services"


class Evidence(Observations):
    """Observations: mobile_services, novel_design; problem flags unusable (查询不可用), falsified (弄虚作假)."""

    mobile_services: Judgement = None
    novel_design: Judgement = None
    unusable: Flag = False
    falsified: Flag = False


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("judged", "flag"), display_name="办事服务"))
