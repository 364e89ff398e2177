"""Terminal text of the guided interview: a question, WHY, the commands, how it ended."""

from __future__ import annotations

from ..engine.interview import Question, Why, choices
from ..engine.model.knowledge import KnowledgeBase
from .consult_text import _answer, _words
from .text import cite, wrap

COMMANDS = (
    ("why", "which rules need this answer and what they would conclude (again: one level up)"),
    ("how ID", "how a conclusion already reached was reached"),
    ("unknown", "leave this finding unknown (never read as no) and go on"),
    ("back", "go back to the previous question"),
    ("done", "stop asking and show the answer with what has been given"),
    ("quit", "stop without an answer"),
    ("help", "this list"),
)

REASONS = {
    "warning_sign": "a warning sign: until it is answered nothing can reassure",
    "changes": "the answer can change the result",
    "together": "no single answer changes the result, but this one can, with another",
}


def opening(asked_from: str | None) -> str:
    start = f"Starting from {asked_from}: only what is still open is asked.\n" if asked_from else ""
    return (
        f"{start}lumbar asks one question at a time, warning signs first, and only questions\n"
        "whose answer can still change the triage or the causes. Type an answer, or: why,\n"
        "unknown, back, done, quit, help.\n"
    )


def help_text() -> str:
    return "".join(f"  {cmd:<8} {what}\n" for cmd, what in COMMANDS)


def question(q: Question, kb: KnowledgeBase) -> str:
    """The question, its help text, the impact of its answers and what may be typed."""
    spec = q.finding
    lines = [
        "",
        *wrap(f"Question {q.number} ({REASONS[q.reason]}): {spec.question}", ""),
        *wrap(spec.help, "  "),
    ]
    if q.level != "undetermined":
        lines.append(f"  So far: triage {_level(q.level)}.")
    if q.open_question is not None:
        for change in q.open_question.changes:
            effect = []
            if change.level != q.level:
                effect.append(f"triage {_level(change.level)}")
            effect += [f"+ {kb.conclusions[c].label}" for c in change.causes_gained]
            effect += [f"- {kb.conclusions[c].label}" for c in change.causes_lost]
            lines += wrap(f"if {_answer(change.answer)}: {'; '.join(effect)}", "    ")
    lines.append(f"  Answer: {choices(spec)}  (or why, unknown, back, help)")
    return "\n".join(lines) + "\n"


def why(report: Why, kb: KnowledgeBase) -> str:
    """WHY at one level: each rule that would use the answer (or the conclusions below), the
    answer it needs, what it concludes, and its citation."""
    n = len(report.uses)
    if report.level == 1:
        head = f"WHY {_words(report.finding)}: {n} rule(s) that can still fire use it"
    else:
        head = f"WHY, level {report.level}: those conclusions are used by {n} rule(s)"
    lines = [head]
    for use in report.uses:
        then = ", ".join(f"{label} ({cid})" for cid, label in use.concludes)
        lines += wrap(f"- {use.rule}: if {' and '.join(use.tests)} -> {then}", "  ")
        lines += wrap(cite(use.rule, use.citation), "      ")
    if report.top:
        lines.append("  (The top of the chain: these conclusions are what the answer reports.)")
    else:
        lines.append("  (Type why again to go one level up.)")
    return "\n".join(lines) + "\n"


def ending(stopped: bool, open_count: int) -> str:
    if stopped:
        left = f"{open_count} question(s) still open"
        return f"\nStopped with {left}: the answer uses what was given.\n\n"
    return "\nNo answer to any further question can change the triage or the causes.\n\n"


def after_answer() -> str:
    return (
        "\nAsk about the answer: how ID (how a conclusion was reached), why not ID (why another\n"
        "was not), or quit.\n"
    )


def _level(level: str) -> str:
    return level.upper().replace("_", " ")
