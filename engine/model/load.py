"""Load and validate the knowledge base into typed, located objects.

``load()`` reads ``vocabulary.yaml``, ``conclusions.yaml``, ``disputes.yaml`` and one
``rules/*.yaml`` file per article, validates their shape (``shapes``) and their meaning (names
exist, values fit the vocabulary, quotes are verbatim in the cited source, negation is
stratified, no text and no source holds a character of ``text.REFUSED``), and reports every
problem at once, each with ``file:line:column``. The knowledge base's ``digest`` is a sha256
over every file read (its path under the root and its text as parsed), in sorted order.
Callers: ``consult``, the CLI, regression tools.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..conditions import ConclusionTest, FindingTest, walk, walk_paths
from ..errors import KnowledgeBaseError, Location, Problem
from ..text import character_name, did_you_mean, refused_character, value_text
from .dependencies import conclusion_graph, cycles
from .documents import Document, format_path, read_document, validation_problems
from .knowledge import (
    Article,
    Citation,
    Conclusion,
    Dispute,
    Finding,
    KnowledgeBase,
    Retired,
    Rule,
    Side,
    default_root,
)
from .quotes import closest_passage, find_quote
from .shapes import (
    ArticleSpec,
    ConclusionsFile,
    DisputesFile,
    RuleFile,
    RuleSpec,
    VocabularyFile,
)


def load(root: Path | None = None) -> KnowledgeBase:
    """Read, validate and type the knowledge base in ``root``; raise with every problem."""
    root = Path(root) if root is not None else default_root()
    problems: list[Problem] = []
    read: dict[str, str] = {}  # path under root -> text, for the digest

    def remember(path: Path, text: str) -> None:
        read[path.relative_to(root).as_posix()] = text

    def shown(path: Path) -> str:
        return f"{root.name}/{path.relative_to(root).as_posix()}"

    def parse(path: Path, model: type[Any]) -> tuple[Any, Document]:
        doc = read_document(path, KnowledgeBaseError, shown(path))
        remember(path, doc.text)
        problems.extend(refused_text(doc))
        try:
            return model.model_validate(doc.data), doc
        except ValidationError as exc:
            problems.extend(validation_problems(exc, doc))
            return None, doc

    def parse_rules(path: Path) -> tuple[ArticleSpec | None, list[tuple[int, RuleSpec]], Document]:
        """A rule file; if its shape is wrong, the problems, and then every rule that is
        shaped right (with its index), so that their meaning is checked in the same run."""
        doc = read_document(path, KnowledgeBaseError, shown(path))
        remember(path, doc.text)
        problems.extend(refused_text(doc))
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
            s.screen,
        )
        for name, s in vocab.findings.items()
    }
    retired = {
        name: Retired(
            name, s.retired_in, s.why, s.values, here(vocab_path, vocab_raw, "retired", name)
        )
        for name, s in vocab.retired.items()
    }
    problems.extend(_check_retired(retired, findings, vocab_path, vocab_raw, here))
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
                        + ("" if other == cid else "." + did_you_mean(other, list(conclusions))),
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
    for i, level in enumerate(concl.reassuring_levels):
        if level not in concl.triage_levels:
            problems.append(
                _at(
                    here(concl_path, concl_raw, "reassuring_levels", i),
                    f"reassuring_levels[{i}]: {level!r} is not one of triage_levels "
                    f"({', '.join(concl.triage_levels)}).",
                )
            )

    articles: dict[str, Article] = {}
    rules: list[Rule] = []
    seen_ids: dict[str, Location] = {}
    pending: list[tuple[int, str, RuleSpec, int, Path, Document]] = []  # rules with also_cites
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
        remember(source, text)
        found = refused_character(text)
        if found:
            at, ch = found
            line = text.count("\n", 0, at) + 1
            column = at - text.rfind("\n", 0, at)
            problems.append(
                Problem(
                    shown(source),
                    line,
                    column,
                    f"{character_name(ch)} is not allowed in an article's text{REFUSED_WHY}",
                )
            )
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
            problems.extend(
                _check_rule(r, i, path, raw, here, findings, conclusions, a, text, retired)
            )
            line = find_quote(r.citation.quote, text) or 0
            citation = Citation(a.key, a.source, line, r.citation.who, r.citation.quote)
            example_at = {
                (group, ex.name): here(path, raw, "rules", i, "examples", group, j, "name")
                for group in ("fires", "does_not_fire")
                for j, ex in enumerate(getattr(r.examples, group))
            }
            if r.also_cites:
                pending.append((len(rules), a.key, r, i, path, raw))
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
                    example_at=example_at,
                )
            )

    for at, own, spec, i, path, raw in pending:
        also, found = _also_cites(spec, i, own, articles, functools.partial(here, path, raw))
        problems.extend(found)
        rules[at] = replace(rules[at], also=also)

    disputes = tuple(
        Dispute(
            d.id,
            d.topic,
            d.kind,
            d.summary,
            tuple(Side(s.position, s.rules) for s in d.sides),
            here(disputes_path, disputes_raw, "disputes", i, "id"),
            d.editors_note,
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
                        + ("" if other == r.id else "." + did_you_mean(other, list(by_id))),
                    )
                )
    if not problems:
        rules, cycle_problems = stratify(rules)
        problems.extend(cycle_problems)
    if problems:
        raise KnowledgeBaseError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    kb = KnowledgeBase(
        root,
        findings,
        conclusions,
        concl.triage_levels,
        articles,
        tuple(rules),
        disputes,
        concl.reassuring_levels,
        retired,
        {
            level: here(concl_path, concl_raw, "triage_levels", i)
            for i, level in enumerate(concl.triage_levels)
        },
    )
    object.__setattr__(kb, "digest", _digest(read))  # frozen, and deliberately not in __init__
    return kb


REFUSED_WHY = (
    ": control, format (invisible, bidirectional), private-use characters and noncharacters "
    "would reach terminals and diagrams unseen; delete it."
)


def refused_text(doc: Document) -> list[Problem]:
    """Every string of a knowledge-base file (keys too) that holds a character of
    ``text.REFUSED``, at its key or item, naming the first such character."""
    out: list[Problem] = []

    def visit(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                visit(key, (*path, key))
                visit(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, (*path, i))
        elif isinstance(value, str) and (found := refused_character(value)):
            at, ch = found
            line, column = doc.position(path)
            where = f" at character {at + 1}" if len(value) > 1 else ""
            message = f"{format_path(path)}: {character_name(ch)}{where} is not allowed"
            out.append(Problem(doc.name, line, column, message + REFUSED_WHY))

    visit(doc.data, ())
    return out


def _digest(read: dict[str, str]) -> str:
    h = hashlib.sha256()
    for path, text in sorted(read.items()):
        data = text.encode("utf-8")
        h.update(f"{path}\0{len(data)}\0".encode())  # lengths: no two file sets hash alike
        h.update(data)
    return h.hexdigest()


def _at(loc: Location, message: str) -> Problem:
    return Problem(loc.file, loc.line, loc.column, message)


def _check_retired(
    retired: dict[str, Retired], findings: dict[str, Finding], path: Path, raw: Document, here: Any
) -> list[Problem]:
    """A retired value is no longer a value of its finding, and what replaces it is valid."""
    out: list[Problem] = []
    for name, r in retired.items():
        current = findings.get(name)
        for value, replacement in r.values.items():
            if current is not None and current.allows(value):
                out.append(
                    _at(
                        here(path, raw, "retired", name, "values", value),
                        f"retired.{name}: {value!r} is still a value of {name}; remove it from "
                        "the finding's values or from retired.",
                    )
                )
            for other, v in replacement.items():
                spec = findings.get(other)
                if spec is None or not spec.allows(v):
                    what = (
                        f"{other!r} is not a finding." + did_you_mean(other, list(findings))
                        if spec is None
                        else f"{v!r} is not allowed for {other}; give {spec.describe_allowed()}."
                    )
                    out.append(
                        _at(
                            here(path, raw, "retired", name, "values", value, other),
                            f"retired.{name}.values.{value}: {what}",
                        )
                    )
    return out


def _retired_problem(
    name: str, value: Any, findings: dict[str, Finding], retired: dict[str, Retired]
) -> str | None:
    """The message for giving a retired finding or value, if it is one."""
    r = retired.get(name)
    return r.message(value) if r is not None and r.covers(value, findings.get(name)) else None


def _check_rule(
    r, i, path, raw, here, findings, conclusions, article, text, retired=None
) -> list[Problem]:
    """Meaning checks for one rule: names exist, values fit, the quote is verbatim."""
    retired = retired or {}
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
                        f"{where}: unknown conclusion {leaf.conclusion!r}."
                        + did_you_mean(leaf.conclusion, list(conclusions)),
                    )
                )
            continue
        spec = findings.get(leaf.finding)
        gone = retired.get(leaf.finding)
        if gone is not None:  # a retired finding, or a retired value of a live one
            given = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
            old = next((v for v in given if v in gone.values), None)
            if spec is None or old is not None:
                out.append(_at(loc, f"{where}: {gone.message(old)}"))
                continue
        if spec is None:
            out.append(
                _at(
                    loc,
                    f"{where}: unknown finding {leaf.finding!r}."
                    + did_you_mean(leaf.finding, list(findings)),
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
                    f"{prefix}.then: unknown conclusion {cid!r}."
                    + did_you_mean(cid, list(conclusions)),
                )
            )
    for group in ("fires", "does_not_fire"):
        for j, example in enumerate(getattr(r.examples, group)):
            for name, value in example.findings.items():
                spec = findings.get(name)
                if spec is None or not spec.allows(value):
                    what = _retired_problem(name, value, findings, retired) or (
                        f"unknown finding {name!r}." + did_you_mean(name, list(findings))
                        if spec is None
                        else f"{value!r} is not allowed for {name}; give {spec.describe_allowed()}."
                    )
                    out.append(
                        _at(
                            here(path, raw, "rules", i, "examples", group, j, "findings", name),
                            f"{prefix}.examples.{group}[{j}]: {what}",
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


def _also_cites(
    r: RuleSpec, i: int, own: str, articles: dict[str, Article], here: Any
) -> tuple[tuple[Citation, ...], list[Problem]]:
    """A rule's further citations, each verbatim in its article (its own, or the one named)."""
    out: list[Citation] = []
    problems: list[Problem] = []
    seen = {(own, " ".join(r.citation.quote.split()))}
    for j, spec in enumerate(r.also_cites):
        prefix = f"rules[{i}].also_cites[{j}]"
        key = spec.article or own
        article = articles.get(key)
        if article is None:
            hint = did_you_mean(key, list(articles))
            loc = here("rules", i, "also_cites", j, "article")
            problems.append(_at(loc, f"{prefix}.article: {key!r} is not an article key.{hint}"))
            continue
        line = find_quote(spec.quote, article.text)
        if line is None:
            near, passage = closest_passage(spec.quote, article.text)
            problems.append(
                _at(
                    here("rules", i, "also_cites", j, "quote"),
                    f"{prefix}.quote is not verbatim in {article.source}; copy the sentence "
                    f"exactly. Closest passage, line {near}: {passage!r}.",
                )
            )
            continue
        if spec.who is not None and spec.who not in article.experts:
            problems.append(
                _at(
                    here("rules", i, "also_cites", j, "who"),
                    f"{prefix}.who: {spec.who!r} is not among the experts of {key} "
                    f"({', '.join(article.experts) or 'none listed'}).",
                )
            )
        if (key, " ".join(spec.quote.split())) in seen:
            problems.append(
                _at(
                    here("rules", i, "also_cites", j, "quote"),
                    f"{prefix}: the rule already cites this sentence; cite each one once.",
                )
            )
        seen.add((key, " ".join(spec.quote.split())))
        out.append(Citation(key, article.source, line, spec.who, spec.quote))
    return tuple(out), problems


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
                _at(
                    d.location,
                    f"dispute {d.id}: unknown rule {r!r}." + did_you_mean(r, list(rules)),
                )
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
    """Every rule shows both an example where it fires and a near miss where it does not
    (``lumbar test`` and ``kb check`` run them), unless ``examples.known_gap`` says why not."""
    out = []
    for rule in kb.rules:
        missing = [g for g in ("fires", "does_not_fire") if not getattr(rule.examples, g)]
        if missing and not rule.examples.known_gap:
            out.append(
                (
                    "examples",
                    _at(
                        rule.location,
                        f"rule {rule.id} has no {' and no '.join(missing)} example; add one "
                        "under 'examples' (or say why not in examples.known_gap).",
                    ),
                )
            )
    return out


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
        return (
            f"{value_text(value)} lies outside its range ({allowed}); the test could never matter."
        )
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
    by_id = {r.id: r for r in rules}
    return strata, [
        _at(
            by_id[cycle.rules[0]].location,
            "these rules test the absence of a conclusion that they themselves lead to "
            f"({', '.join(cycle.conclusions)}), so no order is right: {', '.join(cycle.rules)}.",
        )
        for cycle in cycles(conclusion_graph(rules))
        if cycle.through_negation
    ]
