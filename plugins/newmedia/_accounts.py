"""Shared logic over a unit's new-media accounts (not a plugin: underscore modules are not registered).

Accounts are unit-level raw evidence (:class:`govscore.core.evidence.Account`): platform, name, kind
(publishing 发布类 / service 服务类), filed, opened_on, closed_on, posts. They are typed dicts in
``work.lists[("_unit", "accounts")]``; derivations add item fields to them (``update_ok``) and per-account
audit rows to ``work.item_details[("_unit", "accounts")]`` (same order as the accounts).
"""

from __future__ import annotations

from collections import defaultdict

from govscore.core.compile import UNIT_OWNER
from govscore.core.errors import Location, RuleSetError

ACCOUNTS_KEY = (UNIT_OWNER, "accounts")


def accounts(work) -> list[dict]:
    """The unit's accounts (typed dicts; empty when the evidence lists none)."""
    return work.lists.get(ACCOUNTS_KEY, [])


def account_rows(work) -> list[dict]:
    """Per-account audit rows, one dict per account in account order, shared by every derivation.

    Each derivation updates its own keys in the rows, so the rows stay aligned with the accounts
    whichever derivation runs first.
    """
    accs = accounts(work)
    rows = work.item_details.setdefault(ACCOUNTS_KEY, [])
    while len(rows) < len(accs):
        i = len(rows)
        rows.append({"account": accs[i]["name"], "platform": accs[i]["platform"], "kind": accs[i]["kind"]})
    return rows


def platform_key(platform: str) -> str:
    """A platform name compared case- and space-insensitively ("WeChat " and "wechat" are one platform)."""
    return "".join(str(platform).split()).lower()


def accounts_by_platform(accs: list[dict]) -> dict[str, list[str]]:
    """Platform (normalised) -> names of the unit's accounts on it, in evidence order."""
    out: dict[str, list[str]] = defaultdict(list)
    for a in accs:
        out[platform_key(a["platform"])].append(a["name"])
    return dict(out)


def weeks_setting(compiled, indicator: str, name: str) -> int:
    """A cadence setting of `indicator` (whole weeks, at least 1), read from its rule-file settings.

    Raises:
        RuleSetError: the setting is absent or not a whole number of at least 1 (located at the
            indicator in its rule file): the cadence is policy, so there is no default in code.
    """
    leaf = compiled.leaf(indicator)
    value = leaf.settings.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleSetError("indicator {indicator} needs settings.{name}: a whole number of weeks, at least 1 (found {found})",
                           {"indicator": indicator, "name": name, "found": repr(value)},
                           Location(file=leaf.file, line=leaf.line), None, f"{indicator}.settings.{name}")
    return value
