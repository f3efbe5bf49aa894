"""govscore core: rule sets, plugins, evaluation engines, aggregation and reports.

Data flows one way, one module per step:
rule files + plugins (ruleset/, plugins.py) -> compiled rule set (compile.py)
-> facts per unit (evidence.py, facts.py) -> effects (engine/) -> aggregation (aggregate.py)
-> result (result.py) -> reports (reports/).
"""

__version__ = "0.1.0"
