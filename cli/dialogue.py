"""``lumbar consult --ask``: the guided interview on a terminal, or scripted with answers piped
one per line. The interview itself (what to ask, why) is ``engine/interview.py``; this module
only reads lines and prints.

On a terminal the prompts and the answer go to standard output. Piped, each answer read is echoed
after its prompt, so the output reads as a transcript; standard input ending before the interview
does is an error (exit 2) naming the question left waiting: end a script with ``done`` to get the
answer with what was given. With ``--json`` the dialogue goes to standard error and only the
answer's JSON to standard output.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from ..engine import explain as explain_module
from ..engine.errors import CaseError, LumbarError, Problem
from ..engine.interview import (
    UNKNOWN,
    Interview,
    next_question,
    read_answer,
    saved_case,
    why,
)
from ..engine.model.case import Case
from ..engine.model.knowledge import KnowledgeBase
from ..engine.questions import questions_for
from . import consult_text as fmt
from . import interview_text as text
from .text import write


@dataclass
class Console:
    """Lines in, text out. ``scripted``: input is not a terminal (answers are echoed)."""

    read: Callable[[], str]
    out: TextIO
    scripted: bool

    @classmethod
    def standard(cls, to_stderr: bool) -> Console:
        return cls(sys.stdin.readline, sys.stderr if to_stderr else sys.stdout, not _tty())

    def say(self, message: str) -> None:
        write(self.out, message)

    def ask(self) -> str | None:
        """One line typed after the prompt, or None at the end of input."""
        self.say("> ")
        line = self.read()
        if not line:
            self.say("\n")
            return None
        if any("\udc80" <= ch <= "\udcff" for ch in line):  # bytes that were not UTF-8
            raise CaseError(
                Problem("<stdin>", None, None, "an answer on standard input is not UTF-8 text.")
            )
        if self.scripted:
            self.say(line if line.endswith("\n") else line + "\n")
        return line.strip()


def terminal() -> bool:
    """Whether standard input is a terminal someone can answer at."""
    return _tty()


def _tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        return False


def interview(kb: KnowledgeBase, start: Interview, console: Console) -> Interview | None:
    """Ask until nothing can change the triage or the causes (or ``done``); return the finished
    interview, or None when the user quits."""
    console.say(text.opening(start.start.source if start.start.findings else None))
    current, stopped = start, False
    level = 0  # how far up the chain the last `why` went, for this question
    while (q := next_question(current)) is not None and not stopped:
        console.say(text.question(q, kb))
        level = 0
        while True:
            line = console.ask()
            if line is None:
                if not console.scripted:
                    return None  # Ctrl-D on a terminal: like quit
                raise CaseError(
                    Problem(
                        "<stdin>",
                        None,
                        None,
                        f"standard input ended at question {q.number} ({q.finding.name}) with "
                        "the interview still open: give one answer per line, and end with done "
                        "to get the answer with what was given.",
                    )
                )
            word = line.lower()
            if word in ("quit", "q", "exit"):
                return None
            if word == "done":
                stopped = True
                break
            if word in ("help", "?", ""):
                console.say(text.help_text())
            elif word == "why":
                level += 1
                report = why(current, q.finding.name, level)
                level = report.level
                console.say(text.why(report, kb))
            elif word.startswith("how ") or word.startswith("why not "):
                _explain(current, kb, line, console)
            elif word in ("unknown", "u", "don't know", "dont know", "not sure"):
                current = current.answer(q.finding.name, UNKNOWN)
                break
            elif word in ("back", "b"):
                if current.answers:
                    current = current.back()
                    break
                console.say("  Nothing to go back to: this is the first question.\n")
            else:
                try:
                    current = current.answer(q.finding.name, read_answer(q.finding, line))
                    break
                except ValueError as exc:
                    console.say(f"  {exc}\n")
    open_count = len(questions_for(kb, current.findings, current.declined)) if stopped else 0
    console.say(text.ending(stopped, open_count))
    return current


def follow_up(finished: Interview, kb: KnowledgeBase, console: Console) -> None:
    """After the answer: HOW and WHY NOT for any conclusion, until quit or end of input."""
    console.say(text.after_answer())
    while (line := console.ask()) is not None:
        word = line.lower()
        if word in ("quit", "q", "exit", "done"):
            return
        if word.startswith("how ") or word.startswith("why not "):
            _explain(finished, kb, line, console)
        else:
            console.say("  Type how ID, why not ID, or quit.\n")


def _explain(current: Interview, kb: KnowledgeBase, line: str, console: Console) -> None:
    words = line.split()
    result = current.result
    try:
        if words[0].lower() == "how" and len(words) == 2:
            tree = explain_module.how(result, kb, words[1])
            labels = {d.id: d.label for d in result.conclusions}
            console.say(fmt.how_tree(tree, explain_module.disputes_in(result, tree), labels))
        elif len(words) == 3 and words[:2] == ["why", "not"]:
            report = explain_module.why_not(result, kb, words[2])
            disputes = explain_module.disputes_of_candidates(result, kb, report)
            console.say(fmt.why_not_report(report, disputes))
        else:
            console.say("  Give one conclusion id: how ID, or why not ID.\n")
    except LumbarError as exc:
        for problem in exc.problems:
            console.say(f"  {problem.message}\n")


def starting_case(start: Case | None, save: Path | None) -> Case | None:
    """The case the interview begins from. With --save, it takes the saved file's name as its id
    and a description with today's date, so that the answer printed now and `lumbar consult
    FILE` later are the same, byte for byte."""
    if save is None:
        return start
    today = datetime.date.today().isoformat()
    described = f"Guided interview on {today}"
    if start is not None:
        described += f", starting from {start.source}" + (
            f": {start.description}" if start.description else ""
        )
    return Case(save.stem, described + ".", dict(start.findings) if start else {}, str(save))


def case_file(finished: Interview, save: Path) -> bytes:
    """The interview as a case file, in the format its name asks for."""
    data = saved_case(finished)
    if save.suffix == ".json":
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    head = (
        "# Saved by `lumbar consult --ask`. A finding answered unknown is null (unknown, as if\n"
        "# left out). `lumbar consult` on this file gives the same answer.\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return (head + body).encode("utf-8")
