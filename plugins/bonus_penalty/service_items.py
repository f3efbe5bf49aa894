"""政务服务事项 (penalty.service_items), no weight in the source (扣分指标).

Rubric 2023, 扣分指标 / 政务服务事项 (指标说明: 本单位在省政务服务网发布的办事指南、办事分类准确性。):
各单位在省政务服务网发布的办事指南、办事分类被上级部门查出不准确的，每发现1个扣权重的50%。

- ``inaccurate_guides``: each guide or classification (办事指南、办事分类) a higher authority found
  inaccurate: -50% of the weight (a problem count, absent = 0).
The source gives this row no weight (Known defect 6): the rule file ships it without one, so the leaf
records the count and deducts nothing until policy staff set a weight.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Observations, ProblemCount

ID = "penalty.service_items"


class Evidence(Observations):
    """Observations: inaccurate_guides (被上级部门查出不准确的办事指南、办事分类, count)."""

    inaccurate_guides: ProblemCount = 0


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("deduction",), display_name="政务服务事项"))
