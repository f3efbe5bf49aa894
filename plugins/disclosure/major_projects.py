"""重大建设项目 (disclosure.major_projects): 考核重大建设项目领域专栏的建设和内容维护情况。

Rubric 2023, 政府信息公开 / 重点领域信息公开 / 重大建设项目 (weight 6; 依据鄂政办发〔2018〕17号):
1. 栏目体系合理，分类公开含重大建设项目清单、项目审批、核准、备案信息，以及项目建设进展、质量安全监管、竣工验收
   等体现项目建设生命周期的信息，50% -> structured;
2. 栏目内容与栏目名称一致，不存在关联性不高的信息噪音，50% -> consistent.
注 (veto) and 说明 (applicability): see :mod:`govscore.plugins.disclosure._key_area`.
"""

from govscore.core.hookspecs import hookimpl

from ._key_area import KeyAreaEvidence, key_area_spec


class Evidence(KeyAreaEvidence):
    """Observations of 重大建设项目 (附录一, not in the source): applicable, structured, consistent,
    last_updated, burst_publishing, falsified."""


@hookimpl
def register_indicators(register):
    register(key_area_spec("disclosure.major_projects", Evidence, "重大建设项目"))
