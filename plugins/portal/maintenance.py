"""运维保障 (portal.maintenance): 考核政府门户网站栏目内容保障情况、链接可用性及隐私保护方面建设情况。

Rubric 2023, 管理保障 / 运维保障 (weight 5):
1. 网站政府信息公开平台存在栏目空白、应更新未更新等情况，25% -> empty_or_stale_columns (count);
2. 网站政府信息公开平台存在不能正常访问的链接数量（包括图片、附件、外部链接等），25% -> broken_links (count);
3. 不存在个人隐私信息泄露现象等，25% -> privacy_leaks (count).
Each item: 0 problems found -> its share, 1 or more -> nothing (bands of the rule file). All three are
problem observations: absent means 0.

Known defect 2 (rubric-2023.md): the shares sum to 75% (normalise_shares scales them to 100%).
"""

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Observations, ProblemCount


class Evidence(Observations):
    """Observations of 运维保障 (problem counts, default 0): empty_or_stale_columns (栏目空白、应更新未更新),
    broken_links (不能正常访问的链接), privacy_leaks (个人隐私信息泄露)."""

    empty_or_stale_columns: ProblemCount = 0
    broken_links: ProblemCount = 0
    privacy_leaks: ProblemCount = 0


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="portal.maintenance", evidence=Evidence, rule_kinds=("bands",),
                           display_name="运维保障"))
