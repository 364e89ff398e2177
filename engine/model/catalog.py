"""The knowledge base as a catalogue: select rules, see their neighbours and their sources.

Used by ``lumbar kb list``/``kb show``/``kb disputes``, the rule diagrams and the explorer, so
that each answers "which rules", "what feeds this rule" and "where does this quote stand in its
article" the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..conditions import ConclusionTest, FindingTest, walk
from ..errors import Problem, QueryError
from ..text import did_you_mean
from .knowledge import KnowledgeBase, Rule
from .quotes import quote_lines
from .shapes import KINDS

CONTEXT_LINES = 1  # non-blank lines of the article shown before and after a quote


def _unknown(what: str, name: str, choices: list[str]) -> QueryError:
    hint = did_you_mean(name, choices) or f" Known: {', '.join(choices)}."
    parameter = what.split()[-1] if what != "conclusion kind" else "kind"
    return QueryError(Problem.about(parameter, f"no {what} {name!r}.{hint}"))


def rule(kb: KnowledgeBase, rule_id: str) -> Rule:
    if rule_id not in kb.rules_by_id:
        raise _unknown("rule", rule_id, list(kb.rules_by_id))
    return kb.rule(rule_id)


def select(
    kb: KnowledgeBase,
    article: str | None = None,
    kind: str | None = None,
    finding: str | None = None,
    conclusion: str | None = None,
) -> list[Rule]:
    """Rules from ``article``, concluding something of ``kind``, testing ``finding``, or
    concluding or testing ``conclusion``: every given filter must hold. KB order."""
    if article is not None and article not in kb.articles:
        raise _unknown("article", article, list(kb.articles))
    if kind is not None and kind not in KINDS:
        raise _unknown("conclusion kind", kind, list(KINDS))
    if finding is not None and finding not in kb.findings:
        raise _unknown("finding", finding, list(kb.findings))
    if conclusion is not None and conclusion not in kb.conclusions:
        raise _unknown("conclusion", conclusion, list(kb.conclusions))
    return [
        r
        for r in kb.rules
        if (article is None or article in r.articles)
        and (kind is None or kind in kinds(kb, r))
        and (finding is None or finding in findings_tested(r))
        and (conclusion is None or conclusion in r.then or conclusion in conclusions_tested(r))
    ]


def kinds(kb: KnowledgeBase, r: Rule) -> list[str]:
    return sorted({kb.conclusions[c].kind for c in r.then})


def findings_tested(r: Rule) -> list[str]:
    return _unique(leaf.finding for leaf, _ in walk(r.when) if isinstance(leaf, FindingTest))


def conclusions_tested(r: Rule) -> list[str]:
    return _unique(leaf.conclusion for leaf, _ in walk(r.when) if isinstance(leaf, ConclusionTest))


def feeders(kb: KnowledgeBase, r: Rule) -> list[Rule]:
    """Rules that conclude something this rule tests (present or absent), in KB order."""
    found = {p.id for c in conclusions_tested(r) for p in kb.producers.get(c, ()) if p is not r}
    return [p for p in kb.rules if p.id in found]


def fed(kb: KnowledgeBase, r: Rule) -> list[Rule]:
    """Rules that test something this rule concludes, in KB order."""
    found = {q.id for c in r.then for q in kb.testers.get(c, ()) if q is not r}
    return [q for q in kb.rules if q.id in found]


@dataclass(frozen=True)
class Context:
    """Where a quote stands in its article: numbered lines around it."""

    lines: tuple[tuple[int, str], ...]  # (line number, text)
    quote_first: int
    quote_last: int

    def numbered(self) -> list[tuple[int, str, bool]]:
        """(line number, text, whether the quote is on it)."""
        return [(n, t, self.quote_first <= n <= self.quote_last) for n, t in self.lines]


def context(kb: KnowledgeBase, r: Rule) -> Context:
    """The quote's paragraph (its lines) and ``CONTEXT_LINES`` non-blank lines of the article
    either side of it (the neighbouring paragraphs, or list items), blank lines left out."""
    text = kb.articles[r.citation.article].text
    span = quote_lines(r.citation.quote, text)
    assert span is not None  # every quote is verbatim: checked when the knowledge base loaded
    start, end = span
    lines = text.split("\n")
    before = [n for n in range(start - 1, 0, -1) if lines[n - 1].strip()][:CONTEXT_LINES]
    after = [n for n in range(end + 1, len(lines) + 1) if lines[n - 1].strip()][:CONTEXT_LINES]
    shown = [*reversed(before), *range(start, end + 1), *after]
    return Context(tuple((n, lines[n - 1]) for n in shown), start, end)


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))
