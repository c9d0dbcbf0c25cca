"""rules: the decisions a compliance expert makes about an export order once its chemicals are known.

Plain data in (:class:`rules.facts.OrderFacts`), plain data out (:class:`rules.facts.Outcome`). This
package must not import flask, screening, chem_db, sqlalchemy or rdkit: the rule data is YAML under
``rules/data`` (validated with marshmallow), the engine is pure Python. See ``rules/README.md``.
"""

from rules.engine import evaluate, outcome_for
from rules.errors import RuleError
from rules.ruleset import RuleSet, current_ruleset, load_ruleset, reload_ruleset

__all__ = [
    "RuleError",
    "RuleSet",
    "current_ruleset",
    "evaluate",
    "load_ruleset",
    "outcome_for",
    "reload_ruleset",
]
