"""查询服务 (portal.query_service): 围绕单位业务职能、用户需求，提供名单名录、信息查询等服务的覆盖情况。

Rubric 2023, 办事服务 / 查询服务 (weight 5):
1. 提供本单位专属查询服务的情况...（仅链接到省政务服务网，查询未包含本单位数据的不得分）,50% -> own_service
   (judged; false when it only links to the provincial portal without the unit's data);
2. 提供查询服务的形式（分数由低到高依次为：链接至上级名单名录/链接至上级查询系统/本级名单名录/本级查询系统/本地
   检索栏目设计新颖...）,30% -> form_level, an ordinal 0-5 (0 none, 1 link to an upper-level list, 2 link to
   an upper-level query system, 3 local list, 4 local query system, 5 local, novel, map/graphical);
   credit = level / 5;
3. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，20% -> consistent (judged).
注: 存在提供查询服务但不可用，以及其他弄虚作假等情况，该指标不得分 -> vetoes unusable, falsified.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Flag, Judgement, Level, Observations


class Evidence(Observations):
    """Observations of 查询服务: own_service, form_level (0-5), consistent; unusable (提供查询服务但不可用)
    and falsified (弄虚作假), default false."""

    own_service: Judgement = None
    form_level: Level = None
    consistent: Judgement = None
    unusable: Flag = False
    falsified: Flag = False


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="portal.query_service", evidence=Evidence, rule_kinds=("judged", "ordinal", "flag"),
                           display_name="查询服务"))
