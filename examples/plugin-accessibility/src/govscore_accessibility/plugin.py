"""适老化改造 (accessibility.elderly): 考核网站适老化与无障碍改造情况 (a 2024 indicator).

Criteria (rules/2024-example/accessibility.yaml, weight 5):
1. elderly_mode 50%: an elderly mode (适老化模式 / 长辈版) the visitor can switch to;
2. screen_reader 30%: screen readers and barrier-free browsing work (读屏软件、无障碍浏览);
3. large_font 20%: checklist of 3: enlarge_text (一键放大字体), high_contrast (高对比度配色),
   layout_kept (放大后版面不错位); credit = items present / 3;
veto: unusable (提供了适老化或无障碍功能但无法正常使用): the indicator scores 0.

One indicator per module: this module registers the indicator and the rule set that uses it.
"""

from __future__ import annotations

from pathlib import Path

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Flag, Judgement, Observations

INDICATOR_ID = "accessibility.elderly"
RULESET_NAME = "2024-example"
RULES_DIR = Path(__file__).resolve().parent / "rules"
LARGE_FONT_ITEMS = ("enlarge_text", "high_contrast", "layout_kept")


class Evidence(Observations):
    """What an evaluator records for 适老化改造 (observations of accessibility.elderly).

    - elderly_mode (Judgement): 提供适老化模式（长辈版）且可一键切换: true/false or a fraction 0-1.
    - screen_reader (Judgement): 支持读屏软件与无障碍浏览: true/false or a fraction 0-1.
    - large_font (Checklist): the items present of enlarge_text, high_contrast, layout_kept
      (a list of the items present, or item: yes/no).
    - unusable (Flag, a problem observation: absent means no): the functions exist but do not work.
    """

    elderly_mode: Judgement = None
    screen_reader: Judgement = None
    large_font: Checklist = None
    unusable: Flag = False


SPEC = IndicatorSpec(
    id=INDICATOR_ID,
    evidence=Evidence,
    rule_kinds=("judged", "checklist", "flag"),
    display_name="适老化改造",
)


@hookimpl
def register_indicators(register):
    register(SPEC)


@hookimpl
def register_rulesets(register):
    # the folder ships as package data (pyproject: [tool.setuptools.package-data])
    register(RULESET_NAME, RULES_DIR / RULESET_NAME)
