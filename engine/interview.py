"""The guided interview: which question to ask next, and why it is asked.

A pure core that a front end drives (the CLI's ``consult --ask``; a web page could do the same):
an ``Interview`` holds the findings a case started with and the answers given since, in order;
``next_question`` picks what to ask, ``why`` says which rules want the answer.

What is asked, and in which order:

1. the open questions of the consultation so far (``questions.open_questions``: an answer that
   would change the triage level or the causes found), warning signs first, then the others, each
   group in the open questions' own impact order (raises the level, lowers it, decides a cause);
2. when no single answer changes anything, a finding that a rule which could still fire tests,
   where that rule leads (directly, or through the conclusions it feeds) to a triage level or a
   cause: two answers together can matter where neither alone does;
3. nothing else: when no rule that could still fire and matters tests an open finding, the
   interview is over (``next_question`` returns None).

A finding answered ``unknown`` stays unknown (an unanswered warning sign stays assumed absent and
the answer stays provisional) and is not asked again. Everything is deterministic: the same
answers give the same questions in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

from .conditions import FAILED, ConclusionTest, FindingTest, describe_test, evaluate, walk
from .consult import OpenQuestion, Result, consult
from .model.case import Case
from .model.knowledge import Citation, Finding, KnowledgeBase, Rule
from .questions import questions_for, settled
from .text import did_you_mean, value_text

UNKNOWN = None  # the answer "I don't know": the finding stays unknown


@dataclass(frozen=True)
class Interview:
    """A dialogue so far: the case it started from and the answers given, oldest first."""

    kb: KnowledgeBase
    start: Case
    answers: tuple[tuple[str, Any], ...] = ()  # (finding, value or UNKNOWN)

    @classmethod
    def begin(cls, kb: KnowledgeBase, case: Case | None = None) -> Interview:
        return cls(kb, case or Case("interview", None, {}, "<interview>"))

    def answer(self, finding: str, value: Any) -> Interview:
        """The interview with ``finding`` answered (``UNKNOWN``: left unknown)."""
        if value is not UNKNOWN and not self.kb.findings[finding].allows(value):
            raise ValueError(f"{value!r} is not an answer to {finding}")
        return replace(self, answers=(*self.answers, (finding, value)))

    def back(self) -> Interview:
        """The interview before its last answer (unchanged when nothing was answered)."""
        return replace(self, answers=self.answers[:-1])

    @property
    def findings(self) -> dict[str, Any]:
        """The case's findings with the answers given, in vocabulary order."""
        given = {**self.start.findings}
        for name, value in self.answers:
            if value is UNKNOWN:
                given.pop(name, None)
            else:
                given[name] = value
        return {name: given[name] for name in self.kb.findings if name in given}

    @property
    def declined(self) -> frozenset[str]:
        """Findings answered ``unknown``: not asked again."""
        return frozenset(name for name, value in self.answers if value is UNKNOWN)

    @property
    def asked(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.answers)

    @property
    def case(self) -> Case:
        """The case the answers make: the starting case's id and description, every finding."""
        return replace(self.start, findings=self.findings, expect=None)

    @cached_property
    def result(self) -> Result:
        return consult(self.case, self.kb)


@dataclass(frozen=True)
class Question:
    """What to ask next, and why this question now."""

    finding: Finding
    number: int  # 1 for the first question of this interview
    level: str  # the triage level so far
    reason: Literal["warning_sign", "changes", "together"]
    open_question: OpenQuestion | None  # what each answer would change (None: 'together')
    rules: tuple[str, ...]  # the rules that could still fire and test it


def next_question(interview: Interview) -> Question | None:
    """The next question to ask, or None when no answer can change the triage or the causes."""
    kb, given, skip = interview.kb, interview.findings, interview.declined
    number = len(interview.answers) + 1
    open_ = questions_for(kb, given, skip)
    level = settled(kb, given).level
    if open_:
        first = min(open_, key=lambda q: not q.warning_sign)  # stable: keeps impact order
        reason = "warning_sign" if first.warning_sign else "changes"
        rules = live_rules(interview, first.finding)
        return Question(kb.findings[first.finding], number, level, reason, first, rules)
    for name in kb.findings:
        if name in skip or name in given:
            continue
        rules = live_rules(interview, name, mattering=True)
        if rules:
            return Question(kb.findings[name], number, level, "together", None, rules)
    return None


def live_rules(interview: Interview, finding: str, mattering: bool = False) -> tuple[str, ...]:
    """Rules that did not fire, could still fire, and test ``finding``; with ``mattering``, only
    those that lead to a triage level or a cause."""
    kb = interview.kb
    live = _live(interview)
    keep = _mattering(kb, live) if mattering else live
    return tuple(r.id for r in kb.finding_testers.get(finding, ()) if r.id in keep)


# ---- answers ---------------------------------------------------------------------------------

YES, NO = ("yes", "y", "true"), ("no", "n", "false")
_NUMBER = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)")


def choices(spec: Finding) -> str:
    """What may be typed as an answer to ``spec``, in words."""
    if spec.type == "boolean":
        return "yes or no"
    if spec.type == "enum":
        return ", ".join(f"{i} {v}" for i, v in enumerate(spec.values or (), 1))
    return f"a number of {spec.unit} from {value_text(spec.min)} to {value_text(spec.max)}"


def read_answer(spec: Finding, text: str) -> Any:
    """The value an answer typed as ``text`` gives ``spec``; ``ValueError`` says what to type.

    yes/no (y, n, true, false) for a yes-or-no finding; a value's name or its number for a
    choice (no for a choice that has ``none``); a plain decimal number in range for a number
    (``1.5``; not ``1:30``)."""
    word = text.strip().lower()
    if spec.type == "boolean":
        if word in YES or word in NO:
            return word in YES
        raise ValueError(f"{text.strip()!r} is not an answer here: type yes or no.")
    if spec.type == "enum":
        values = spec.values or ()
        if word.isdigit() and 1 <= int(word) <= len(values):
            return values[int(word) - 1]
        name = word.replace(" ", "_").replace("-", "_")
        if name in NO and "none" in values:  # "Has either leg become weak?" "No."
            return "none"
        if name in values:
            return name
        hint = did_you_mean(name, values)
        raise ValueError(
            f"{text.strip()!r} is not one of the answers.{hint} Type a number from 1 to "
            f"{len(values)} or a name: {choices(spec)}."
        )
    unit = f" {spec.unit}" if spec.unit else ""
    number = word.removesuffix(spec.unit or "\0").strip() if spec.unit else word
    if not _NUMBER.fullmatch(number):
        raise ValueError(
            f"{text.strip()!r} is not a number: give the{unit} as a plain number, e.g. 30 or 1.5."
        )
    value: int | float = int(number) if number.isdigit() else float(number)
    if not spec.allows(value):
        raise ValueError(f"{value_text(value)}{unit} is out of range: give {choices(spec)}.")
    return value


def saved_case(interview: Interview) -> dict[str, Any]:
    """The interview as a case file: its id and description, every finding given, and each
    finding answered unknown as ``null`` (unknown, as if left out; kept to show it was asked)."""
    findings = {**interview.findings}
    findings.update({name: None for name in interview.declined if name not in findings})
    order = list(interview.kb.findings)
    return {
        "case": interview.start.id,
        "description": interview.start.description,
        "findings": {k: findings[k] for k in sorted(findings, key=order.index)},
    }


# ---- WHY -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One rule that would use an answer (or a conclusion): what it tests, what it concludes."""

    rule: str
    tests: tuple[str, ...]  # the tests on the finding (or conclusion) asked about, in words
    concludes: tuple[tuple[str, str], ...]  # (id, label)
    citation: Citation


@dataclass(frozen=True)
class Why:
    """WHY at one level: level 1 the rules that test the finding asked; level 2 the rules that
    test what those conclude; and so on up the chain."""

    finding: str
    level: int
    uses: tuple[Use, ...]
    top: bool  # nothing further up: these conclusions are what the answer reports


def why(interview: Interview, finding: str, level: int = 1) -> Why:
    """Why ``finding`` is asked, ``level`` steps up the chain (MYCIN's WHY, asked again): level 1
    the rules that could still fire and test it; each level up, the rules that could still fire,
    lead to a triage level or a cause, and test what the level below concludes on the way there
    (a triage level or a cause is what the answer reports: the chain stops at it)."""
    kb = interview.kb
    live = _live(interview)
    leading = _mattering(kb, live)
    uses = [
        _use(kb, r, finding, set()) for r in kb.finding_testers.get(finding, ()) if r.id in live
    ]
    depth = 1
    while True:
        wanted = {c for u in uses for c, _ in u.concludes if not _goal(kb, c)}
        above = [r for r in kb.rules if r.id in leading and wanted & _conclusions_tested(r)]
        if depth == level or not above:
            return Why(finding, depth, tuple(uses), top=not above)
        uses = [_use(kb, r, finding, wanted) for r in above]
        depth += 1


def _goal(kb: KnowledgeBase, conclusion: str) -> bool:
    """A triage level or a cause: what the interview asks to decide."""
    spec = kb.conclusions[conclusion]
    return bool(spec.level) or spec.kind == "cause"


def _use(kb: KnowledgeBase, rule: Rule, finding: str, wanted: set[str]) -> Use:
    tests = tuple(
        ("not " if negated else "") + describe_test(test)
        for test, negated in walk(rule.when)
        if (isinstance(test, FindingTest) and not wanted and test.finding == finding)
        or (isinstance(test, ConclusionTest) and test.conclusion in wanted)
    )
    concludes = tuple((c, kb.conclusions[c].label) for c in rule.then)
    return Use(rule.id, tests, concludes, rule.citation)


# ---- helpers ---------------------------------------------------------------------------------


def _live(interview: Interview) -> frozenset[str]:
    """Rules that did not fire and could still fire: their condition is not failed by what was
    given, counting the findings answered ``unknown`` as never holding."""
    kb, given = interview.kb, interview.findings
    base = settled(kb, given)
    return frozenset(
        rule.id
        for rule in kb.rules
        if rule.id not in base.fired
        and evaluate(rule.when, given, base.reached, never=interview.declined).status != FAILED
    )


def _mattering(kb: KnowledgeBase, live: frozenset[str]) -> set[str]:
    """The live rules that conclude a triage level or a cause, or feed a live rule that does."""
    keep: set[str] = set()
    changed = True
    while changed:
        changed = False
        wanted = {c for r in keep for c in _conclusions_tested(kb.rule(r))}
        for rid in live - keep:
            then = kb.rule(rid).then
            if any(_goal(kb, c) for c in then) or wanted & set(then):
                keep.add(rid)
                changed = True
    return keep


def _findings_tested(rule: Rule) -> set[str]:
    return {t.finding for t, _ in walk(rule.when) if isinstance(t, FindingTest)}


def _conclusions_tested(rule: Rule) -> set[str]:
    return {t.conclusion for t, _ in walk(rule.when) if isinstance(t, ConclusionTest)}


def replay(
    kb: KnowledgeBase, answers: dict[str, Any], start: Case | None = None
) -> Iterator[Question]:
    """Drive an interview answering each question from ``answers`` (a finding missing there is
    answered unknown); yield each question asked. For tests and the benchmark."""
    interview = Interview.begin(kb, start)
    while (question := next_question(interview)) is not None:
        yield question
        interview = interview.answer(question.finding.name, answers.get(question.finding.name))
