"""Load and validate the knowledge base into typed, located objects.

The knowledge base is data: ``vocabulary.yaml`` (the findings a case may give),
``conclusions.yaml`` (everything the rules may conclude, and the triage order) and one
``rules/*.yaml`` file per article. ``load()`` reads them all, validates their shape (pydantic,
``extra="forbid"``) and their meaning (names exist, values fit the vocabulary, quotes are
verbatim in the cited source, negation is stratified), and reports every problem at once, each
with ``file:line:column``. Callers: ``compile``, ``consult``, the CLI's ``kb`` commands.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from .documents import Document, format_path, read_document, validation_problems
from .errors import KnowledgeBaseError, Problem

SNAKE = r"^[a-z][a-z0-9_]*$"
KINDS = ("triage", "red_flag", "judgement", "cause", "recommendation", "caution", "reassurance")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---- file shapes -------------------------------------------------------------------------------


class FindingSpec(_Model):
    type: Literal["boolean", "enum", "number"]
    question: str = Field(min_length=5)
    help: str = Field(min_length=5)
    values: tuple[str, ...] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    # Values the articles name as warning signs, and those among them that are urgent; the
    # safety invariants (tests/test_invariants.py) are stated over these.
    red_flag: tuple[bool | str, ...] = ()
    urgent: tuple[bool | str, ...] = ()

    @model_validator(mode="after")
    def _fits_type(self) -> FindingSpec:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum finding needs 'values'")
        if self.type == "number" and (self.unit is None or self.min is None or self.max is None):
            raise ValueError("a number finding needs 'unit', 'min' and 'max'")
        if self.type != "enum" and self.values is not None:
            raise ValueError("only an enum finding has 'values'")
        if self.type != "number" and {self.unit, self.min, self.max} != {None}:
            raise ValueError("only a number finding has 'unit', 'min' and 'max'")
        allowed = (True, False) if self.type == "boolean" else self.values or ()
        if any(v not in allowed for v in (*self.red_flag, *self.urgent)):
            raise ValueError("red_flag and urgent list values of the finding")
        if any(v not in self.red_flag for v in self.urgent):
            raise ValueError("an urgent value is also a red_flag value")
        return self


class VocabularyFile(_Model):
    findings: dict[Annotated[str, Field(pattern=SNAKE)], FindingSpec]


class ConclusionSpec(_Model):
    kind: Literal[KINDS]  # type: ignore[valid-type]
    label: str = Field(min_length=3)
    description: str = Field(min_length=10)
    level: str | None = None
    # Conclusions that cannot both hold or both be advised; symmetric, declared once.
    contradicts: tuple[str, ...] = ()


class ConclusionsFile(_Model):
    triage_levels: tuple[str, ...] = Field(min_length=2)
    conclusions: dict[Annotated[str, Field(pattern=SNAKE)], ConclusionSpec]


Scalar = bool | str | float

OPERATORS = ("is", "in", "at_least", "more_than", "less_than", "at_most")


class FindingTest(_Model):
    """A test on one finding. An absent finding is unknown: the test does not hold."""

    finding: str
    is_: Scalar | None = Field(None, alias="is")
    in_: tuple[str, ...] | None = Field(None, alias="in", min_length=1)
    at_least: float | None = None
    more_than: float | None = None
    less_than: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FindingTest:
        if len(self.operators()) != 1:
            raise ValueError(f"give exactly one of: {', '.join(OPERATORS)}")
        return self

    def operators(self) -> list[tuple[str, Any]]:
        values = (self.is_, self.in_, self.at_least, self.more_than, self.less_than, self.at_most)
        return [(op, v) for op, v in zip(OPERATORS, values, strict=True) if v is not None]

    def holds(self, value: Any) -> bool:
        """Whether a known finding value passes this test (the engine's own semantics)."""
        op, x = self.operator, self.operand
        if op == "is":
            return type(value) is type(x) and value == x if isinstance(x, bool) else value == x
        if op == "in":
            return value in x
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return {
            "at_least": value >= x,
            "more_than": value > x,
            "less_than": value < x,
            "at_most": value <= x,
        }[op]

    @property
    def operator(self) -> str:
        return self.operators()[0][0]

    @property
    def operand(self) -> Any:
        return self.operators()[0][1]


class ConclusionTest(_Model):
    """Holds when an earlier rule has concluded this id."""

    conclusion: str


Leaf = Annotated[
    Annotated[FindingTest, Tag("<finding>")] | Annotated[ConclusionTest, Tag("<conclusion>")],
    Discriminator(
        lambda v: _tag(v, ("finding", "conclusion")),
        custom_error_type="leaf",
        custom_error_message="inside 'none' give tests of the form {finding: ...} or "
        "{conclusion: ...}",
    ),
]


class AllOf(_Model):
    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(_Model):
    any: tuple[Condition, ...] = Field(min_length=1)


class NoneOf(_Model):
    none: tuple[Leaf, ...] = Field(min_length=1)


def _tag(value: Any, keys: tuple[str, ...]) -> str | None:
    """The union member a condition is, by the key that names it (tags read "<key>")."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    if isinstance(value, dict):
        for key in keys:
            if key in value:
                return f"<{key}>"
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")]
    | Annotated[NoneOf, Tag("<none>")]
    | Annotated[FindingTest, Tag("<finding>")]
    | Annotated[ConclusionTest, Tag("<conclusion>")],
    Discriminator(
        lambda v: _tag(v, ("all", "any", "none", "finding", "conclusion")),
        custom_error_type="condition",
        custom_error_message="a condition is one of {all: [...]}, {any: [...]}, {none: [...]}, "
        "{finding: NAME, is|in|at_least|more_than|less_than|at_most: VALUE}, {conclusion: ID}",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


class CitationSpec(_Model):
    quote: str = Field(min_length=10)
    who: str | None = None


class ExampleSpec(_Model):
    """A small case next to a rule: the rule must (or must not) fire on these findings."""

    name: str = Field(pattern=SNAKE)
    findings: dict[str, bool | str | float]
    known_gap: str | None = None  # why this example is not yet met: reported as skipped


class ExamplesSpec(_Model):
    fires: tuple[ExampleSpec, ...] = ()
    does_not_fire: tuple[ExampleSpec, ...] = ()


class RuleSpec(_Model):
    id: str = Field(pattern=SNAKE)
    when: Condition
    then: tuple[str, ...] = Field(min_length=1)
    salience: int = Field(0, ge=-999, le=999)
    citation: CitationSpec
    note: str | None = None
    # Rules of other articles that this rule restates with more conditions: it adds no
    # conclusion of its own, and is kept for its citation (checked by ``lumbar kb check``).
    corroborates: tuple[Annotated[str, Field(pattern=SNAKE)], ...] = ()
    examples: ExamplesSpec = ExamplesSpec()


class ArticleSpec(_Model):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    source: str
    title: str
    author: str | None = None
    date: str | None = None
    experts: tuple[str, ...] = ()


class RuleFile(_Model):
    article: ArticleSpec
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


class SideSpec(_Model):
    position: str = Field(min_length=5)
    rules: tuple[Annotated[str, Field(pattern=SNAKE)], ...] = Field(min_length=1)


class DisputeSpec(_Model):
    id: str = Field(pattern=SNAKE)
    topic: str = Field(min_length=10)
    kind: Literal["disagree", "qualify"]
    summary: str = Field(min_length=20)
    sides: tuple[SideSpec, ...] = Field(min_length=2)


class DisputesFile(_Model):
    disputes: tuple[DisputeSpec, ...] = ()


# ---- loaded, typed objects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None
    column: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Finding:
    name: str
    type: str
    question: str
    help: str
    values: tuple[str, ...] | None
    unit: str | None
    min: float | None
    max: float | None
    red_flag: tuple[bool | str, ...]
    urgent: tuple[bool | str, ...]
    location: Location

    def allows(self, value: Any) -> bool:
        """Whether ``value`` is a valid value of this finding."""
        if self.type == "boolean":
            return isinstance(value, bool)
        if self.type == "enum":
            return isinstance(value, str) and value in (self.values or ())
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (self.min or 0) <= value <= (self.max or 0)

    def describe_allowed(self) -> str:
        if self.type == "boolean":
            return "true or false"
        if self.type == "enum":
            return "one of " + ", ".join(self.values or ())
        return f"a number of {self.unit} from {_num(self.min)} to {_num(self.max)}"


@dataclass(frozen=True)
class Conclusion:
    id: str
    kind: str
    label: str
    description: str
    level: str | None
    location: Location
    contradicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    key: str
    source: str
    title: str
    author: str | None
    date: str | None
    experts: tuple[str, ...]
    text: str = field(repr=False)


@dataclass(frozen=True)
class Citation:
    article: str
    source: str
    quote: str
    who: str | None
    line: int

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "source": self.source,
            "line": self.line,
            "who": self.who,
            "quote": self.quote,
        }


@dataclass(frozen=True, eq=False)  # identity: each rule is one object, usable as a cache key
class Rule:
    id: str
    index: int
    when: Any
    then: tuple[str, ...]
    salience: int
    stratum: int
    citation: Citation
    note: str | None
    location: Location
    examples: ExamplesSpec
    corroborates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Side:
    position: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Dispute:
    """Where the articles disagree (or one qualifies another): each side names its rules."""

    id: str
    topic: str
    kind: str
    summary: str
    sides: tuple[Side, ...]
    location: Location

    def side_of(self, rule_id: str) -> int | None:
        return next((i for i, s in enumerate(self.sides) if rule_id in s.rules), None)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (a cache key)
class KnowledgeBase:
    root: Path
    findings: dict[str, Finding]
    conclusions: dict[str, Conclusion]
    triage_levels: tuple[str, ...]
    articles: dict[str, Article]
    rules: tuple[Rule, ...]
    disputes: tuple[Dispute, ...] = ()

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def producers(self) -> dict[str, list[Rule]]:
        """conclusion id -> the rules that conclude it, in KB order."""
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for cid in rule.then:
                out.setdefault(cid, []).append(rule)
        return out

    @cached_property
    def testers(self) -> dict[str, list[Rule]]:
        """conclusion id -> the rules that test it (present or absent), in KB order."""
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for cid in dict.fromkeys(
                leaf.conclusion for leaf, _ in walk(rule.when) if isinstance(leaf, ConclusionTest)
            ):
                out.setdefault(cid, []).append(rule)
        return out

    def disputes_of(self, rule_id: str) -> list[tuple[Dispute, int]]:
        """The disputes a rule stands in, each with the index of its side."""
        found = ((d, d.side_of(rule_id)) for d in self.disputes)
        return [(d, i) for d, i in found if i is not None]

    def contradictory(self, a: str, b: str) -> bool:
        return b in self.conclusions[a].contradicts or a in self.conclusions[b].contradicts

    def rule(self, rule_id: str) -> Rule:
        return self.rules_by_id[rule_id]

    def level_rank(self, level: str) -> int:
        """0 for the most urgent level; larger is less urgent."""
        return self.triage_levels.index(level)


# ---- helpers shared with other modules --------------------------------------------------------


def default_root() -> Path:
    return Path(str(files("lumbar.knowledge_base")))


def closest(name: str, choices: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=0.5)


def walk(condition: Any) -> Iterator[tuple[Any, bool]]:
    """Every leaf test of a condition, with whether it sits under ``none``."""
    for leaf, negated, _path in walk_paths(condition):
        yield leaf, negated


def walk_paths(
    condition: Any, path: tuple[str | int, ...] = (), negated: bool = False
) -> Iterator[tuple[Any, bool, tuple[str | int, ...]]]:
    """Like ``walk``, with each leaf's key path inside the condition (for locating it)."""
    for key in ("all", "any", "none"):
        children = getattr(condition, key, None)
        if isinstance(children, tuple):
            for i, child in enumerate(children):
                yield from walk_paths(child, (*path, key, i), negated or key == "none")
            return
    yield condition, negated, path


# Typographic quotes and no-break spaces compare equal to their plain forms.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def normalise(text: str) -> tuple[str, list[int]]:
    """Whitespace-collapsed, straight-quoted text, and each character's offset in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offsets.append(i)
            continue
        out.append(ch)
        offsets.append(i)
    return "".join(out), offsets


@cache
def _normalised_source(text: str) -> tuple[str, list[int]]:
    return normalise(text)


def find_quote(quote: str, text: str) -> int | None:
    """1-based line of ``text`` where ``quote`` starts, or None if it is not verbatim there."""
    span = quote_lines(quote, text)
    return span[0] if span else None


def quote_lines(quote: str, text: str) -> tuple[int, int] | None:
    """1-based first and last line of ``quote`` in ``text``, or None if it is not verbatim."""
    haystack, offsets = _normalised_source(text)
    needle = normalise(quote)[0].strip()
    at = haystack.find(needle)
    if at < 0 or not needle:
        return None
    first = text.count("\n", 0, offsets[at]) + 1
    return first, first + text.count("\n", offsets[at], offsets[at + len(needle) - 1])


def closest_passage(quote: str, text: str) -> tuple[int, str]:
    """The run of whole words of ``text`` most like ``quote`` (for a quote that is not
    verbatim), and the line it starts on: the best window as long as the quote, then its
    start and end moved a few words either way."""
    haystack, offsets = _normalised_source(text)
    needle = normalise(quote)[0].strip()
    words = [0] + [i + 1 for i, ch in enumerate(haystack) if ch == " "] + [len(haystack) + 1]
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(needle)

    def best_of(spans):
        best, found = -1.0, (0, 0)
        for at, end in spans:
            matcher.set_seq1(haystack[at:end])
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                ratio = matcher.ratio()
                if ratio > best:
                    best, found = ratio, (at, end)
        return found

    first = best_of((w, w + len(needle)) for w in words[:-1])
    k = bisect.bisect_left(words, first[0])
    near = words[max(0, k - 6) : k + 7]
    ends = [w - 1 for w in words if abs(w - first[1]) <= len(needle) // 4 + 10]
    at, end = best_of((a, e) for a in near for e in ends if e > a)
    return text.count("\n", 0, offsets[at]) + 1, haystack[at:end].strip()


# ---- loading -----------------------------------------------------------------------------------


def load(root: Path | None = None) -> KnowledgeBase:
    """Read, validate and type the knowledge base in ``root``; raise with every problem."""
    root = Path(root) if root is not None else default_root()
    problems: list[Problem] = []

    def shown(path: Path) -> str:
        return f"{root.name}/{path.relative_to(root).as_posix()}"

    def parse(path: Path, model: type[_Model]) -> tuple[Any, Document]:
        doc = read_document(path, KnowledgeBaseError, shown(path))
        try:
            return model.model_validate(doc.data), doc
        except ValidationError as exc:
            problems.extend(validation_problems(exc, doc))
            return None, doc

    def parse_rules(path: Path) -> tuple[ArticleSpec | None, list[tuple[int, RuleSpec]], Document]:
        """A rule file; if its shape is wrong, the problems, and then every rule that is
        shaped right (with its index), so that their meaning is checked in the same run."""
        doc = read_document(path, KnowledgeBaseError, shown(path))
        try:
            spec = RuleFile.model_validate(doc.data)
            return spec.article, list(enumerate(spec.rules)), doc
        except ValidationError as exc:
            problems.extend(validation_problems(exc, doc))
        data = doc.data if isinstance(doc.data, dict) else {}
        try:
            article = ArticleSpec.model_validate(data.get("article"))
        except ValidationError:
            return None, [], doc
        items = data.get("rules") if isinstance(data.get("rules"), list) else []
        kept = []
        for i, item in enumerate(items):
            try:
                kept.append((i, RuleSpec.model_validate(item)))
            except ValidationError:
                continue  # reported above, with its place
        return article, kept, doc

    def here(path: Path, doc: Document, *keys: str | int) -> Location:
        line, col = doc.position(keys)
        return Location(shown(path), line, col)

    vocab_path, concl_path = root / "vocabulary.yaml", root / "conclusions.yaml"
    vocab, vocab_raw = parse(vocab_path, VocabularyFile)
    concl, concl_raw = parse(concl_path, ConclusionsFile)
    disputes_path = root / "disputes.yaml"
    disputes_spec, disputes_raw = (
        parse(disputes_path, DisputesFile) if disputes_path.exists() else (DisputesFile(), None)
    )
    rule_paths = sorted((root / "rules").glob("*.yaml"))
    if not rule_paths:
        problems.append(Problem(shown(root / "rules"), None, None, "no rule files (*.yaml)."))
    rule_files = [(p, *parse_rules(p)) for p in rule_paths]
    if vocab is None or concl is None:  # every other check needs these two
        raise KnowledgeBaseError(problems)
    if disputes_spec is None:
        disputes_spec = DisputesFile()

    findings = {
        name: Finding(
            name,
            s.type,
            s.question,
            s.help,
            s.values,
            s.unit,
            s.min,
            s.max,
            s.red_flag,
            s.urgent,
            here(vocab_path, vocab_raw, "findings", name),
        )
        for name, s in vocab.findings.items()
    }
    conclusions = {
        cid: Conclusion(
            cid,
            s.kind,
            s.label,
            s.description,
            s.level,
            here(concl_path, concl_raw, "conclusions", cid),
            s.contradicts,
        )
        for cid, s in concl.conclusions.items()
    }
    for cid, c in conclusions.items():
        for other in c.contradicts:
            if other not in conclusions or other == cid:
                problems.append(
                    _at(
                        here(concl_path, concl_raw, "conclusions", cid, "contradicts"),
                        f"conclusions.{cid}.contradicts: {other!r} is "
                        + ("the conclusion itself." if other == cid else "not a conclusion")
                        + ("" if other == cid else _suggest(other, conclusions) + "."),
                    )
                )
        if (c.kind == "triage") != (c.level is not None):
            problems.append(
                _at(
                    c.location,
                    f"conclusions.{cid}: a conclusion has a 'level' "
                    "exactly when its kind is triage.",
                )
            )
        elif c.level is not None and c.level not in concl.triage_levels:
            problems.append(
                _at(
                    c.location,
                    f"conclusions.{cid}.level: {c.level!r} is not one "
                    f"of triage_levels ({', '.join(concl.triage_levels)}).",
                )
            )

    articles: dict[str, Article] = {}
    rules: list[Rule] = []
    seen_ids: dict[str, Location] = {}
    for path, a, indexed, raw in rule_files:
        if a is None:
            continue
        source = root / "sources" / a.source
        try:
            text = source.read_text(encoding="utf-8")
        except OSError:
            problems.append(
                _at(
                    here(path, raw, "article", "source"),
                    f"article.source: {a.source!r} is not a file in {root.name}/sources/.",
                )
            )
            continue
        if a.key in articles:
            problems.append(
                _at(
                    here(path, raw, "article", "key"),
                    f"article.key: {a.key!r} is used by another rule file.",
                )
            )
        articles[a.key] = Article(a.key, a.source, a.title, a.author, a.date, a.experts, text)
        for i, r in indexed:
            loc = here(path, raw, "rules", i, "id")
            if r.id in seen_ids:
                problems.append(
                    _at(
                        loc,
                        f"rules[{i}].id: {r.id!r} is already the id of the "
                        f"rule at {seen_ids[r.id]}; rule ids are unique.",
                    )
                )
            seen_ids.setdefault(r.id, loc)
            problems.extend(_check_rule(r, i, path, raw, here, findings, conclusions, a, text))
            line = find_quote(r.citation.quote, text) or 0
            citation = Citation(a.key, a.source, r.citation.quote, r.citation.who, line)
            rules.append(
                Rule(
                    r.id,
                    len(rules),
                    r.when,
                    r.then,
                    r.salience,
                    0,
                    citation,
                    r.note,
                    loc,
                    r.examples,
                    r.corroborates,
                )
            )

    disputes = tuple(
        Dispute(
            d.id,
            d.topic,
            d.kind,
            d.summary,
            tuple(Side(s.position, s.rules) for s in d.sides),
            here(disputes_path, disputes_raw, "disputes", i, "id"),
        )
        for i, d in enumerate(disputes_spec.disputes)
        if disputes_raw is not None
    )
    by_id = {r.id: r for r in rules}
    problems.extend(_check_disputes(disputes, by_id))
    for r in rules:
        for other in r.corroborates:
            if other not in by_id or other == r.id:
                problems.append(
                    _at(
                        r.location,
                        f"rule {r.id}: corroborates {other!r}, which is "
                        + ("the rule itself." if other == r.id else "not a rule")
                        + ("" if other == r.id else _suggest(other, by_id) + "."),
                    )
                )
    if not problems:
        rules, cycle_problems = stratify(rules)
        problems.extend(cycle_problems)
    if problems:
        raise KnowledgeBaseError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return KnowledgeBase(
        root, findings, conclusions, concl.triage_levels, articles, tuple(rules), disputes
    )


def _at(loc: Location, message: str) -> Problem:
    return Problem(loc.file, loc.line, loc.column, message)


def _num(x: float | None) -> str:
    return f"{x:g}" if x is not None else "?"


def _check_rule(r, i, path, raw, here, findings, conclusions, article, text) -> list[Problem]:
    """Meaning checks for one rule: names exist, values fit, the quote is verbatim."""
    out: list[Problem] = []
    prefix = f"rules[{i}]"
    loc = here(path, raw, "rules", i)
    if not any(not neg for _, neg in walk(r.when)):
        out.append(
            _at(
                loc,
                f"{prefix}.when: a rule needs at least one test outside 'none', "
                "so that it fires on something present.",
            )
        )
    for leaf, _neg, sub in walk_paths(r.when):
        loc = here(path, raw, "rules", i, "when", *sub)
        where = format_path([prefix, "when", *sub])
        if isinstance(leaf, ConclusionTest):
            if leaf.conclusion not in conclusions:
                out.append(
                    _at(
                        loc,
                        f"{where}: unknown conclusion {leaf.conclusion!r}"
                        + _suggest(leaf.conclusion, conclusions)
                        + ".",
                    )
                )
            continue
        spec = findings.get(leaf.finding)
        if spec is None:
            out.append(
                _at(
                    loc,
                    f"{where}: unknown finding {leaf.finding!r}"
                    + _suggest(leaf.finding, findings)
                    + ".",
                )
            )
            continue
        problem = _value_problem(leaf, spec)
        if problem:
            out.append(_at(loc, f"{where}: finding {leaf.finding!r}: {problem}"))
    for cid in r.then:
        if cid not in conclusions:
            out.append(
                _at(
                    here(path, raw, "rules", i, "then"),
                    f"{prefix}.then: unknown conclusion {cid!r}" + _suggest(cid, conclusions) + ".",
                )
            )
    for group in ("fires", "does_not_fire"):
        for j, example in enumerate(getattr(r.examples, group)):
            for name, value in example.findings.items():
                spec = findings.get(name)
                if spec is None or not spec.allows(value):
                    what = (
                        f"unknown finding {name!r}" + _suggest(name, findings)
                        if spec is None
                        else f"{value!r} is not allowed for {name}; give {spec.describe_allowed()}"
                    )
                    out.append(
                        _at(
                            here(path, raw, "rules", i, "examples", group, j, "findings", name),
                            f"{prefix}.examples.{group}[{j}]: {what}.",
                        )
                    )
    if find_quote(r.citation.quote, text) is None:
        line, passage = closest_passage(r.citation.quote, text)
        out.append(
            _at(
                here(path, raw, "rules", i, "citation", "quote"),
                f"{prefix}.citation.quote is not verbatim in {article.source}; copy the "
                "sentence exactly (whitespace and curly quotes may differ). Closest passage, "
                f"line {line}: {passage!r}.",
            )
        )
    if r.citation.who is not None and r.citation.who not in article.experts:
        out.append(
            _at(
                here(path, raw, "rules", i, "citation", "who"),
                f"{prefix}.citation.who: {r.citation.who!r} is not among article.experts "
                f"({', '.join(article.experts) or 'none listed'}).",
            )
        )
    return out


def _check_disputes(disputes: tuple[Dispute, ...], rules: dict[str, Rule]) -> list[Problem]:
    """Dispute ids are unique; each names existing rules, once, from two articles or more."""
    out: list[Problem] = []
    seen: set[str] = set()
    for d in disputes:
        if d.id in seen:
            out.append(_at(d.location, f"dispute {d.id!r} is recorded twice; ids are unique."))
        seen.add(d.id)
        named = [r for side in d.sides for r in side.rules]
        for r in sorted({r for r in named if r not in rules}):
            out.append(
                _at(d.location, f"dispute {d.id}: unknown rule {r!r}" + _suggest(r, rules) + ".")
            )
        twice = sorted({r for r in named if named.count(r) > 1})
        if twice:
            out.append(
                _at(
                    d.location,
                    f"dispute {d.id}: {', '.join(twice)} stands on more than one side; "
                    "a rule carries one side.",
                )
            )
        articles = {rules[r].citation.article for r in named if r in rules}
        if len(articles) < 2 and not any(r not in rules for r in named):
            out.append(
                _at(
                    d.location,
                    f"dispute {d.id}: all its rules come from {', '.join(articles)}; a dispute "
                    "is between articles, so name rules from at least two.",
                )
            )
    return out


def example_problems(kb: KnowledgeBase) -> list[tuple[str, Problem]]:
    """Rules that decide triage or a red flag must show both an example where they fire and a
    near miss where they do not (``lumbar test`` runs them)."""
    out = []
    for rule in kb.rules:
        missing = [g for g in ("fires", "does_not_fire") if not getattr(rule.examples, g)]
        if missing and any(kb.conclusions[c].kind in ("triage", "red_flag") for c in rule.then):
            out.append(
                (
                    "examples",
                    _at(
                        rule.location,
                        f"rule {rule.id} decides triage or a red flag but has no "
                        f"{' and no '.join(missing)} example; add one under 'examples'.",
                    ),
                )
            )
    return out


def _suggest(name: str, choices: dict) -> str:
    near = closest(name, list(choices))
    return f" (did you mean {', '.join(near)}?)" if near else ""


def _value_problem(leaf: FindingTest, spec: Finding) -> str | None:
    op, value = leaf.operator, leaf.operand
    allowed = spec.describe_allowed()
    if spec.type == "boolean":
        if op != "is" or not isinstance(value, bool):
            return "a boolean finding is tested with 'is: true' or 'is: false'."
        return None
    if spec.type == "enum":
        values = [value] if op == "is" else list(value) if op == "in" else None
        if values is None:
            return f"an enum finding is tested with 'is' or 'in'; allowed values: {allowed}."
        bad = [v for v in values if v not in (spec.values or ())]
        if bad:
            return f"{', '.join(map(repr, bad))} is not a value of it; allowed: {allowed}."
        return None
    if op == "in" or isinstance(value, bool | str):
        return (
            "a number finding is tested with is/at_least/more_than/less_than/at_most and a number."
        )
    assert spec.min is not None and spec.max is not None
    if not spec.min <= float(value) <= spec.max:
        return f"{_num(value)} lies outside its range ({allowed}); the test could never matter."
    return None


def stratify(rules: list[Rule]) -> tuple[list[Rule], list[Problem]]:
    """The rules with their strata set, or the problem if negation makes a cycle."""
    strata, problems = _stratify(rules)
    return [replace(r, stratum=strata[r.id]) for r in rules], problems


def _stratify(rules: list[Rule]) -> tuple[dict[str, int], list[Problem]]:
    """Order rules so that a rule testing that a conclusion is absent runs after every rule that
    could conclude it (stratified negation). A cycle through a negation cannot be ordered."""
    producers: dict[str, list[Rule]] = {}
    for r in rules:
        for cid in r.then:
            producers.setdefault(cid, []).append(r)
    strata = {r.id: 0 for r in rules}
    changed: list[str] = []
    for _ in range(len(rules) + 1):
        changed = []
        for r in rules:
            need = 0
            for leaf, neg in walk(r.when):
                if isinstance(leaf, ConclusionTest):
                    for p in producers.get(leaf.conclusion, []):
                        need = max(need, strata[p.id] + (1 if neg else 0))
            if need > strata[r.id]:
                strata[r.id] = need
                changed.append(r.id)
        if not changed:
            return strata, []
    looping = sorted(set(changed))
    return strata, [
        Problem(
            "rules",
            None,
            None,
            "these rules test the absence of a conclusion "
            f"that they themselves lead to, so no order is right: {', '.join(looping)}.",
        )
    ]
