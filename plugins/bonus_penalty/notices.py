"""通报曝光 (penalty.notices), -6 points (扣分指标).

Rubric 2023, 扣分指标 / 通报曝光 (指标说明: 2023年所管政府网站栏目和政务新媒体被国务院办公厅或省政府办公厅通报曝光情况。):
2023年所管政府网站栏目和政务新媒体，每被国务院办公厅通报或点名批评一个网站或政务新媒体，扣权重的50%；每被省政府办公厅
通报或点名批评一个网站或政务新媒体，扣权重的5%。

- ``state_council_notices``: each of the unit's sites or accounts named in a State Council General
  Office notice or criticism, once per notice: -50% of the weight (-3);
- ``provincial_notices``: likewise for the provincial General Office: -5% (-0.3).
Both are problem counts (absent = 0). The leaf deducts at most its weight, 6: the source states no cap
(Known defect 8), so the cap defaults to the weight, as in the national 检查指标.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Observations, ProblemCount

ID = "penalty.notices"


class Evidence(Observations):
    """Observations: state_council_notices (国务院办公厅通报), provincial_notices (省政府办公厅通报); counts."""

    state_council_notices: ProblemCount = 0
    provincial_notices: ProblemCount = 0


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("deduction",), display_name="通报曝光"))
