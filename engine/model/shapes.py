"""The shapes of the knowledge-base files (pydantic models, unknown keys rejected).

``vocabulary.yaml``, ``conclusions.yaml``, ``rules/*.yaml``, ``disputes.yaml`` and
``uncited.yaml`` (the sentence ledger); case files are in ``case``. ``load`` (and ``ledger``, for
``uncited.yaml``) validates the files with these models; ``schemas`` publishes them as JSON
Schemas for editors.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..conditions import Condition, FileShape

SNAKE = r"^[a-z][a-z0-9_]*$"
KINDS = ("triage", "red_flag", "judgement", "cause", "recommendation", "caution", "reassurance")


class FindingSpec(FileShape):
    type: Literal["boolean", "enum", "number"]
    question: str = Field(min_length=5)
    help: str = Field(min_length=5)
    values: tuple[str, ...] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    # Values the articles name as warning signs, and those among them that are urgent; the
    # safety invariants (tests/knowledge_base/test_invariants.py) are stated over these.
    red_flag: tuple[bool | str, ...] = ()
    urgent: tuple[bool | str, ...] = ()
    # Values that are warning signs only in some circumstances (with time, with other signs):
    # like red_flag values, a reassurance waits until the case has ruled them out.
    screen: tuple[bool | str, ...] = ()

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
        numbers = self.type == "number" and self.min is not None and self.max is not None
        if numbers and self.max <= self.min:  # type: ignore[operator]
            raise ValueError(f"'max' ({self.max:g}) must be greater than 'min' ({self.min:g})")
        allowed = (True, False) if self.type == "boolean" else self.values or ()
        if any(v not in allowed for v in (*self.red_flag, *self.urgent, *self.screen)):
            raise ValueError("red_flag, urgent and screen list values of the finding")
        if any(v not in self.red_flag for v in self.urgent):
            raise ValueError("an urgent value is also a red_flag value")
        return self


class RetiredSpec(FileShape):
    """A finding, or some values of one, that cases may no longer give. ``values`` maps each
    retired value to the findings (name: value) that now say the same; a case or a rule that
    gives a retired value is refused with that replacement, never silently rewritten."""

    retired_in: str = Field(min_length=3)  # where: an issue, a release
    why: str = Field(min_length=10)
    values: dict[str, dict[Annotated[str, Field(pattern=SNAKE)], bool | str | float]] = Field(
        min_length=1
    )


class VocabularyFile(FileShape):
    findings: dict[Annotated[str, Field(pattern=SNAKE)], FindingSpec]
    # Findings (or values) no longer in the vocabulary, with what replaced them.
    retired: dict[Annotated[str, Field(pattern=SNAKE)], RetiredSpec] = Field(default_factory=dict)


class ConclusionSpec(FileShape):
    kind: Literal[KINDS]  # type: ignore[valid-type]
    label: str = Field(min_length=3)
    description: str = Field(min_length=10)
    level: str | None = None
    # Conclusions that cannot both hold or both be advised; symmetric, declared once.
    contradicts: tuple[str, ...] = ()


class ConclusionsFile(FileShape):
    triage_levels: tuple[str, ...] = Field(min_length=2)
    # levels that are final only once every warning sign is answered (see conclusions.yaml)
    reassuring_levels: tuple[str, ...] = ()
    conclusions: dict[Annotated[str, Field(pattern=SNAKE)], ConclusionSpec]


class CitationSpec(FileShape):
    quote: str = Field(min_length=10)
    who: str | None = None


class AlsoCitationSpec(CitationSpec):
    """A further sentence a rule cites: of its own article, or of ``article`` (a key)."""

    article: str | None = None


class ExampleSpec(FileShape):
    """A small case next to a rule: the rule must (or must not) fire on these findings."""

    name: str = Field(pattern=SNAKE)
    findings: dict[str, bool | str | float]
    known_gap: str | None = None  # why this example is not yet met: reported as skipped


class ExamplesSpec(FileShape):
    fires: tuple[ExampleSpec, ...] = ()
    does_not_fire: tuple[ExampleSpec, ...] = ()
    known_gap: str | None = None  # why one kind of example cannot be written (yet)


class RuleSpec(FileShape):
    id: str = Field(pattern=SNAKE)
    when: Condition
    then: tuple[str, ...] = Field(min_length=1)
    salience: int = Field(0, ge=-999, le=999)
    citation: CitationSpec
    # Further sentences (of this article or another) that state the same rule: the articles
    # agreeing, as one rule rather than a copy per article.
    also_cites: tuple[AlsoCitationSpec, ...] = ()
    note: str | None = None
    # Rules of other articles that this rule restates with more conditions: it adds no
    # conclusion of its own, and is kept for its citation (checked by ``lumbar kb check``).
    corroborates: tuple[Annotated[str, Field(pattern=SNAKE)], ...] = ()
    examples: ExamplesSpec = ExamplesSpec()


class ArticleSpec(FileShape):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    source: str
    title: str
    author: str | None = None
    date: str | None = None
    experts: tuple[str, ...] = ()


class RuleFile(FileShape):
    article: ArticleSpec
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


class SideSpec(FileShape):
    position: str = Field(min_length=5)
    rules: tuple[Annotated[str, Field(pattern=SNAKE)], ...] = Field(min_length=1)


class DisputeSpec(FileShape):
    id: str = Field(pattern=SNAKE)
    topic: str = Field(min_length=10)
    kind: Literal["disagree", "qualify"]
    summary: str = Field(min_length=20)
    # The editors' own synthesis or advice, kept out of ``summary`` (a neutral account of the
    # sides) and always shown apart from it, labelled as the editors' and not the articles'.
    editors_note: str | None = Field(None, min_length=10)
    sides: tuple[SideSpec, ...] = Field(min_length=2)


class DisputesFile(FileShape):
    disputes: tuple[DisputeSpec, ...] = ()


# Why no rule cites a sentence of an article (``uncited.yaml``): a closed set, documented in the
# file's header and the README. ``to_encode`` is not an excuse but work to do: ``kb coverage``
# lists those sentences so that rules get written for them.
REASONS = {
    "page_furniture": "not the article's argument: titles and headings, captions and photo "
    "credits, bylines and dates, share buttons, sign-ups, comment forms, legal disclaimers, "
    "links to other pages",
    "rhetorical_or_transition": "no claim: a hook, an aside, a question to the reader, a "
    'signpost ("here\'s how"), an analogy or a joke',
    "author_bio_or_promotion": "the author's credentials or life; a plug for an app, a "
    "product, a book, a video or a newsletter",
    "not_about_back_pain_after_squats": "a claim about something else: strength or muscle "
    "gains, knees, lifting records, other exercises",
    "nothing_to_act_on": "on the subject but general (a statistic, a truism, an "
    "encouragement): no question to ask and no advice follows from it",
    "carried_by_rule": "the rule named in `by` encodes what it says while citing a sentence "
    "next to it: the advice itself, its reason, mechanism, example or how to do it",
    "duplicate_of_cited_sentence": "says again what a sentence cited elsewhere says (a "
    "summary, a takeaway, a list of the article's points, a checklist item); `by` names the "
    "rule that cites it",
    "to_encode": "a consultation could act on it (advice, a cause, a warning sign, a dose) and "
    "no rule cites it yet: work to do, listed by `lumbar kb coverage`",
}
NEEDS_RULE = ("carried_by_rule", "duplicate_of_cited_sentence")  # these name the rule (`by`)


class UncitedSpec(FileShape):
    """A sentence of an article that no rule cites, and why."""

    line: int = Field(ge=1)
    text: str = Field(min_length=1)
    reason: Literal[tuple(REASONS)] = Field(  # type: ignore[valid-type]
        description="; ".join(f"{name}: {meaning}" for name, meaning in REASONS.items())
    )
    by: str | None = Field(None, pattern=SNAKE)

    @model_validator(mode="after")
    def _names_a_rule_when_needed(self) -> UncitedSpec:
        if self.reason in NEEDS_RULE and self.by is None:
            raise ValueError(f"reason {self.reason} names the rule that carries it in 'by'")
        if self.reason not in NEEDS_RULE and self.by is not None:
            raise ValueError(f"only {' and '.join(NEEDS_RULE)} name a rule in 'by'")
        return self


class UncitedFile(FileShape):
    articles: dict[str, tuple[UncitedSpec, ...]] = Field(default_factory=dict)
