"""表彰宣传 (bonus.commendation), +10 points (加分指标).

Rubric 2023, 加分指标 / 表彰宣传 (指标说明: 2023年本地区政府网站栏目及政务新媒体建设管理工作被上级单位表彰或者被主流媒体正面宣传报道的情况。):

1. ...受到国务院相关部门、中央网信办、省人民政府等上级单位表彰的情况，50%. -> ``commendations`` (a count of
   commendations by State Council departments, 中央网信办, the provincial government or another higher-level
   unit): bands 0 -> 0, >= 1 -> the full 50%;
2. ...被中央媒体正面宣传报道情况，50%。 -> ``central_media_reports`` (a count): bands 0 -> 0, >= 1 -> 50%.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Count, Observations

ID = "bonus.commendation"


class Evidence(Observations):
    """Observations: commendations (上级单位表彰, count), central_media_reports (中央媒体正面宣传报道, count)."""

    commendations: Count = None
    central_media_reports: Count = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("bands",), display_name="表彰宣传"))
