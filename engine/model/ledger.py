"""The sentence ledger: what the knowledge base makes of every sentence of every article.

A sentence (``sentences``) is *cited* when the quote of one of a rule's citations overlaps it
(``quotes``). Every other sentence is listed in ``uncited.yaml`` with a reason from a closed set
(``shapes.REASONS``), and the rule that carries it where the reason needs one. ``kb check``
reports a sentence neither cited nor listed, and a listing that is wrong: a reason outside the
set, a rule that does not exist, a text that is not (or no longer) a sentence of the article at
that line, a sentence that is cited now. ``kb coverage`` counts, and the explorer's article view
shows each sentence with what became of it.

The ledger is read apart from ``load``: no consultation needs it, so a knowledge base without
one still loads (every sentence it does not cite is then unaccounted for).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from ..errors import KnowledgeBaseError, Location, Problem
from ..text import did_you_mean
from .documents import Document, read_document, validation_problems
from .knowledge import Article, KnowledgeBase
from .load import refused_text
from .quotes import normalise, quote_span
from .sentences import Sentence, sentences
from .shapes import REASONS, UncitedFile, UncitedSpec

LEDGER = "uncited.yaml"
CITED = "cited"
UNACCOUNTED = "unaccounted"
TO_ENCODE = "to_encode"


@dataclass(frozen=True)
class Entry:
    """One sentence listed in ``uncited.yaml``."""

    article: str
    line: int
    text: str
    reason: str
    by: str | None
    location: Location  # the entry in uncited.yaml
    by_location: Location | None = None


@dataclass(frozen=True)
class Ledger:
    """``uncited.yaml`` as read: its entries, and the problems that kept others out."""

    file: str  # as messages show it: knowledge_base/uncited.yaml
    entries: tuple[Entry, ...] = ()
    problems: tuple[Problem, ...] = ()  # a wrong shape, an unknown article: entries left out
    found: bool = True


@dataclass(frozen=True)
class Account:
    """One sentence of an article and what became of it."""

    sentence: Sentence
    rules: tuple[str, ...] = ()  # the rules that cite it
    entry: Entry | None = None  # its listing in uncited.yaml

    @property
    def status(self) -> str:
        """``cited``, the reason it is listed with, or ``unaccounted``."""
        if self.rules:
            return CITED
        return self.entry.reason if self.entry else UNACCOUNTED


@dataclass(frozen=True)
class ArticleLedger:
    """Every sentence of one article, accounted for."""

    article: Article
    file: str  # the source as messages show it: knowledge_base/sources/NNN.txt
    sentences: tuple[Account, ...]
    listed: tuple[Entry, ...]  # the article's entries in uncited.yaml, in file order

    def with_status(self, status: str) -> tuple[Account, ...]:
        return tuple(a for a in self.sentences if a.status == status)

    @cached_property
    def figures(self) -> Figures:
        statuses = [a.status for a in self.sentences]
        return Figures(
            len(statuses),
            statuses.count(CITED),
            {reason: statuses.count(reason) for reason in REASONS},
            statuses.count(UNACCOUNTED),
        )


@dataclass(frozen=True)
class Figures:
    """How many sentences, cited, uncited by reason (every reason, in ``REASONS`` order),
    and unaccounted for."""

    sentences: int
    cited: int
    uncited: dict[str, int]
    unaccounted: int

    @property
    def uncited_total(self) -> int:
        return sum(self.uncited.values())

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.sentences + other.sentences,
            self.cited + other.cited,
            {r: n + other.uncited[r] for r, n in self.uncited.items()},
            self.unaccounted + other.unaccounted,
        )


NO_FIGURES = Figures(0, 0, dict.fromkeys(REASONS, 0), 0)


def read_ledger(kb: KnowledgeBase) -> Ledger:
    """``uncited.yaml`` beside the knowledge base's files; never raises: what cannot be read
    is a problem of the ledger, and a missing file a ledger that was not ``found``."""
    path = kb.root / LEDGER
    shown = f"{kb.root.name}/{LEDGER}"
    if not path.exists():
        return Ledger(shown, found=False)
    try:
        doc = read_document(path, KnowledgeBaseError, shown)
    except KnowledgeBaseError as exc:
        return Ledger(shown, problems=tuple(exc.problems))
    problems = refused_text(doc)
    try:
        spec = UncitedFile.model_validate(doc.data)
        items = {key: list(enumerate(specs)) for key, specs in spec.articles.items()}
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc))
        items = _well_shaped(doc.data)
    entries = []
    for key, indexed in items.items():
        if key not in kb.articles:
            problems.append(
                Problem.at(
                    _at(doc, "articles", key),
                    f"articles.{key}: no article has this key."
                    + did_you_mean(key, list(kb.articles)),
                )
            )
            continue
        for i, e in indexed:
            where = ("articles", key, i)
            by_at = _at(doc, *where, "by") if e.by is not None else None
            entries.append(Entry(key, e.line, e.text, e.reason, e.by, _at(doc, *where), by_at))
    return Ledger(shown, tuple(entries), tuple(problems))


def _well_shaped(data: Any) -> dict[str, list[tuple[int, UncitedSpec]]]:
    """When the file's shape is wrong: every entry that is shaped right, with its index, so
    that the rest is still checked (the wrong ones are reported with their place)."""
    articles = data.get("articles") if isinstance(data, dict) else None
    out: dict[str, list[tuple[int, UncitedSpec]]] = {}
    for key, items in (articles if isinstance(articles, dict) else {}).items():
        kept = out.setdefault(str(key), [])
        for i, item in enumerate(items if isinstance(items, list) else []):
            try:
                kept.append((i, UncitedSpec.model_validate(item)))
            except ValidationError:
                continue
    return out


def _at(doc: Document, *path: str | int) -> Location:
    return Location(doc.name, *doc.position(path))


def account(kb: KnowledgeBase, ledger: Ledger) -> tuple[ArticleLedger, ...]:
    """Every article's sentences, each with the rules that cite it and its listing, in the
    knowledge base's order of articles."""
    citing: dict[str, list[tuple[tuple[int, int], str]]] = {key: [] for key in kb.articles}
    for rule in kb.rules:
        for c in rule.citations:
            span = quote_span(c.quote, kb.articles[c.article].text)
            if span is not None:  # every quote is verbatim: checked when the KB loaded
                citing[c.article].append((span, rule.id))
    out = []
    for key, article in kb.articles.items():
        listed = tuple(e for e in ledger.entries if e.article == key)
        by_sentence = {_key(e.line, e.text): e for e in reversed(listed)}  # the first one wins
        accounts = []
        for s in sentences(article.text):
            overlapping = (
                rid for (start, end), rid in citing[key] if start < s.end and s.start < end
            )
            rules = tuple(dict.fromkeys(overlapping))
            accounts.append(Account(s, rules, by_sentence.get(_key(s.line, s.text))))
        out.append(
            ArticleLedger(
                article, f"{kb.root.name}/sources/{article.source}", tuple(accounts), listed
            )
        )
    return tuple(out)


def total(ledgers: tuple[ArticleLedger, ...]) -> Figures:
    return sum((a.figures for a in ledgers), NO_FIGURES)


def problems(kb: KnowledgeBase, ledger: Ledger) -> list[tuple[str, Problem]]:
    """What ``kb check`` reports about the ledger, as (kind, located problem): ``ledger`` for
    a problem of uncited.yaml (at its file:line), ``unaccounted`` for a sentence neither cited
    nor listed (at the article's file:line:column). A missing uncited.yaml is one problem, and
    none when every sentence is cited."""
    ledgers = account(kb, ledger)
    if not ledger.found:
        missing = sum(len(a.with_status(UNACCOUNTED)) for a in ledgers)
        message = (
            f"no such file, and {missing} sentence(s) of the articles are cited by no rule: each "
            "must be listed in it with the reason it is not cited (see the README's section on "
            "the sentence ledger)."
        )
        return [("ledger", Problem(ledger.file, None, None, message))] if missing else []
    found = [("ledger", p) for p in ledger.problems]
    for a in ledgers:
        found += [("ledger", p) for p in _entry_problems(kb, a)]
        found += [("unaccounted", _unaccounted(a, acc)) for acc in a.with_status(UNACCOUNTED)]
    return sorted(found, key=lambda kp: (kp[1].file or "", kp[1].line or 0, kp[1].column or 0))


def _unaccounted(a: ArticleLedger, acc: Account) -> Problem:
    s = acc.sentence
    column = s.start - a.article.text.rfind("\n", 0, s.start)  # 1-based, in its line
    return Problem(
        a.file,
        s.line,
        column,
        f"no rule cites this sentence and {LEDGER} does not list it: “{s.text}”. Cite it in a "
        f"rule, or list it under articles.{a.article.key} in {LEDGER} with line {s.line}, the "
        "sentence as text, and the reason no rule cites it.",
    )


def _entry_problems(kb: KnowledgeBase, a: ArticleLedger) -> list[Problem]:
    """An entry must name a real rule, be a sentence of the article at its line, be listed
    once, and not be cited."""
    out = []
    by_sentence = {_key(acc.sentence.line, acc.sentence.text): acc for acc in a.sentences}
    first: dict[tuple[int, str], Entry] = {}
    for e in a.listed:
        if e.by is not None and e.by not in kb.rules_by_id:
            out.append(
                Problem.at(
                    e.by_location or e.location,
                    f"by: {e.by!r} is not a rule." + did_you_mean(e.by, list(kb.rules_by_id)),
                )
            )
        key = _key(e.line, e.text)
        acc = by_sentence.get(key)
        if acc is None:
            out.append(Problem.at(e.location, _not_a_sentence(a, e)))
        elif key in first:
            out.append(
                Problem.at(
                    e.location,
                    f"this sentence is listed already (line {first[key].location.line}); "
                    "remove one of the two.",
                )
            )
        elif acc.rules:
            out.append(
                Problem.at(
                    e.location,
                    f"line {e.line} of {a.article.source} is cited now, by "
                    f"{', '.join(acc.rules)}: remove it from {LEDGER}.",
                )
            )
        first.setdefault(key, e)
    return out


def _key(line: int, text: str) -> tuple[int, str]:
    """A sentence as an entry names it: its line and its text, whitespace and typographic
    quotes aside (as quotes are compared)."""
    return line, normalise(text)[0].strip()


def _not_a_sentence(a: ArticleLedger, e: Entry) -> str:
    where = f"{a.article.source}:{e.line}"
    text = _key(0, e.text)[1]
    elsewhere = [s.sentence.line for s in a.sentences if _key(0, s.sentence.text)[1] == text]
    if elsewhere:
        return (
            f"“{e.text}” is not at {where} but at line {elsewhere[0]}: the article moved; "
            f"change 'line' to {elsewhere[0]}."
        )
    there = [acc.sentence.text for acc in a.sentences if acc.sentence.line == e.line]
    close = difflib.get_close_matches(e.text, there, n=1, cutoff=0.0)
    hint = f" The closest sentence there is “{close[0]}”." if close else " That line is blank."
    return (
        f"“{e.text}” is not a sentence of {where} (the article changed, or the text is not "
        f"verbatim): copy the sentence as the article has it, or remove the entry.{hint}"
    )
