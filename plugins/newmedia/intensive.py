"""集约开设 (newmedia.intensive), 6 points.

Rubric 2023, 政务新媒体 / 集约开设 (指标说明: 开设政务新媒体，在网站显著位置提供访问入口及管辖范围内政务新媒体备案管理的情况。):

1. 按照“一单位在同一平台只开设一个账号”的要求开设政务新媒体，30% -> ``one_account_per_platform``, derived
   from the unit's accounts: true iff no platform holds two of the unit's accounts;
2. 严格落实《湖北省政务新媒体管理办法（试行）》，履行开设、变更、关停、注销职责，10% -> ``lifecycle_compliant``
   (the evaluator's judgment);
3. 通过全国政务新媒体信息报送系统、全省政务新媒体矩阵管理平台备案政务新媒体及时准确，不存在非监管范围内新媒体，30%
   -> rule kind ``items`` over the accounts: every account ``filed`` (an unfiled account is one outside
   the supervised scope).

A unit with no accounts earns neither derived share (items 1 and 3) and both are listed as missing
(rubric-2023.md, Terms: a derived share whose raw input is empty earns nothing). The shares sum to 70%
(Known defect 2) and the entry point on the portal named in the description is scored by no item
(defect 10); the rule file records both as source notes.

Reading of item 1: every account the evidence lists counts, whatever its kind; platforms are compared
case- and space-insensitively. An evaluator who holds, say, a WeChat service account (服务号) and a
subscription account (订阅号) to be distinct platforms writes distinct platform names.
"""

from govscore.core.derivations import Derivation
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations

from ._accounts import account_rows, accounts, accounts_by_platform, platform_key

ID = "newmedia.intensive"


class Evidence(Observations):
    """Observations: lifecycle_compliant (履行开设、变更、关停、注销职责).

    one_account_per_platform is derived from the unit-level accounts; filed is read from each account.
    """

    lifecycle_compliant: Judgement = None


def derive(work, compiled) -> None:
    """Set ``one_account_per_platform`` from the accounts (None when the unit has none: missing).

    Audit: ``work.details[ID]["one_account_per_platform"]`` lists the accounts per platform and the
    platforms holding more than one; each account's row notes whether its platform is shared.
    """
    accs = accounts(work)
    obs = work.observations.setdefault(ID, {})
    if not accs:
        obs["one_account_per_platform"] = None
        work.details.setdefault(ID, {})["one_account_per_platform"] = {"accounts": 0}
        return
    by_platform = accounts_by_platform(accs)
    shared = {p: names for p, names in by_platform.items() if len(names) > 1}
    obs["one_account_per_platform"] = not shared
    work.details.setdefault(ID, {})["one_account_per_platform"] = {
        "accounts": len(accs), "platforms": by_platform, "platforms_with_several_accounts": shared}
    for acc, row in zip(accs, account_rows(work)):
        row["platform_shared"] = platform_key(acc["platform"]) in shared


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=ID, evidence=Evidence, rule_kinds=("judged", "items"), uses_accounts=True,
                           derived=("one_account_per_platform",), display_name="集约开设"))


@hookimpl
def register_derivations(register):
    register(Derivation("newmedia.one_account_per_platform", (ID,), derive,
                        "accounts -> one_account_per_platform (no platform holds two of the unit's accounts)"))
