"""财政预决算 (disclosure.budgets): 考核财政预决算公开情况。

Rubric 2023, 政府信息公开 / 基本信息公开 / 财政预决算 (weight 2):
1. 评估及时公开本部门和所属单位财政预算、财政决算的情况 -> published, a checklist of 2 items (budget,
   final_accounts), 100%; each item counts when the department's and its subordinate units' (所属单位)
   budget / final accounts are published on time (及时): the evaluator judges both.

Known defect 5 (rubric-2023.md): no share is given; the named aspects split the weight equally.
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Observations


class Evidence(Observations):
    """Observations of 财政预决算: published (财政预算 budget, 财政决算 final_accounts)."""

    published: Checklist = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="disclosure.budgets", evidence=Evidence, rule_kinds=("checklist",),
                           display_name="财政预决算"))
