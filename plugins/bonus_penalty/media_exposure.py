"""媒体曝光 (penalty.media_exposure), -4 points (扣分指标).

Rubric 2023, 扣分指标 / 媒体曝光 (指标说明: 2023年所管政府网站栏目和政务新媒体发生媒体曝光或其他负面影响事件的情况。):
2023年所管政府网站栏目和政务新媒体，发生媒体曝光或其他负面影响事件，每被中央媒体曝光一次，扣权重的50%；每被省级主流媒体
曝光一次，扣权重的10%。

- ``central_media_exposures``: each exposure by a central medium: -50% of the weight (-2);
- ``provincial_media_exposures``: each exposure by a provincial mainstream medium: -10% (-0.4).
Both are problem counts (absent = 0). The leaf deducts at most its weight, 4 (Known defect 8: no cap
stated; the cap defaults to the weight).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Observations, ProblemCount

ID = "penalty.media_exposure"


class Evidence(Observations):
    """Observations: central_media_exposures (中央媒体曝光), provincial_media_exposures (省级主流媒体曝光); counts."""

    central_media_exposures: ProblemCount = 0
    provincial_media_exposures: ProblemCount = 0


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("deduction",), display_name="媒体曝光"))
