"""What many test modules share: where things are, and small knowledge bases written on purpose.

``make_kb`` writes a tiny valid knowledge base (two rules) to break in a test; ``hostile_kb`` writes
one whose text is markup (a quote, source lines, a note, labels, an article title and a dispute
that would run script if any page or diagram inserted them as HTML), with a sentence ledger.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def published_schema(name: str) -> dict[str, Any]:
    """The committed JSON Schema ``schemas/NAME.schema.json`` (``lumbar kb schema``)."""
    return json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


# ---- a tiny valid knowledge base -------------------------------------------------------------

SOURCE = (
    "The quick brown fox jumps over the lazy dog.\n\nIt\u2019s a \u201ccurly\u201d sentence here.\n"
)
VOCAB = """\
findings:
  butt_wink:
    type: boolean
    question: Does the pelvis tuck at the bottom?
    help: Called butt wink.
  hours_since_workout:
    type: number
    unit: hours
    min: 0
    max: 2000
    question: How many hours ago?
    help: Hours since the session.
"""
CONCLUSIONS = """\
triage_levels: [urgent, self_care]
conclusions:
  triage_self_care:
    {kind: triage, level: self_care, label: Self care, description: Look after it at home.}
  cause_butt_wink: {kind: cause, label: Butt wink, description: The pelvis tucks under.}
  red_flag_present: {kind: judgement, label: A red flag, description: Something is wrong here.}
"""
RULES = """\
article:
  key: test
  source: s.txt
  title: Test
  experts: [Ann Expert]
rules:
  - id: butt_wink_is_a_cause
    when: {finding: butt_wink, is: true}
    then: [cause_butt_wink]
    citation:
      quote: The quick brown fox jumps over the lazy dog.
      who: Ann Expert
  - id: cause_gives_self_care
    when:
      all:
        - {conclusion: cause_butt_wink}
        - none: [{conclusion: red_flag_present}]
    then: [triage_self_care]
    citation:
      quote: It's a "curly" sentence here.
"""


def make_kb(
    tmp_path: Path, rules: str = RULES, vocab: str = VOCAB, conclusions: str = CONCLUSIONS
) -> Path:
    root = tmp_path / "knowledge_base"
    (root / "rules").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "sources" / "s.txt").write_text(SOURCE, encoding="utf-8")
    (root / "vocabulary.yaml").write_text(vocab, encoding="utf-8")
    (root / "conclusions.yaml").write_text(conclusions, encoding="utf-8")
    (root / "rules" / "a.yaml").write_text(rules, encoding="utf-8")
    return root


# ---- a hostile knowledge base ----------------------------------------------------------------

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "</script><script>window.__pwned=2</script>"
HOSTILE_QUOTE = f'Beware {IMG} then {SCRIPT} with &amp; and "quotes" here.'
HOSTILE_NOTE = "<b>bold</b> & <script>window.__pwned=3</script> in a note"
HOSTILE_RULE = "hostile_quote_rule"
PLAIN_RULE = "plain_rule_reads_it"
OTHER_RULE = "other_article_rule"

SOURCE_S = (
    "<h1>A heading in angle brackets</h1>\n"
    "\n"
    f"{HOSTILE_QUOTE}\n"
    "\n"
    "The quick brown fox jumps over the lazy dog.\n"
    "\n"
    '<svg onload="window.__pwned=5"> closing line.\n'
)
SOURCE_T = "Another article says <i>otherwise</i> & means it.\n"

HOSTILE_VOCAB = """\
findings:
  butt_wink:
    type: boolean
    question: Does the pelvis tuck at the bottom?
    help: Called butt wink.
"""
HOSTILE_CONCLUSIONS = """\
triage_levels: [urgent, self_care]
conclusions:
  triage_self_care:
    kind: triage
    level: self_care
    label: '<img src=x onerror="window.__pwned=6"> Self care'
    description: 'Look after it at home </script><script>window.__pwned=7</script>.'
  cause_butt_wink:
    {kind: cause, label: '<b>Butt</b> wink', description: 'The pelvis tucks & under.'}
"""
# The quote is YAML single-quoted: backslashes and double quotes are literal, '' is a quote.
RULES_A = f"""\
article:
  key: hostile
  source: s.txt
  title: '<svg onload="window.__pwned=4">Hostile & title</svg>'
  experts: ['Ann <b>Expert</b>']
rules:
  - id: {HOSTILE_RULE}
    when: {{finding: butt_wink, is: true}}
    then: [cause_butt_wink]
    note: '{HOSTILE_NOTE}'
    citation:
      quote: '{HOSTILE_QUOTE}'
      who: Ann <b>Expert</b>
  - id: {PLAIN_RULE}
    when: {{conclusion: cause_butt_wink}}
    then: [triage_self_care]
    citation:
      quote: The quick brown fox jumps over the lazy dog.
"""
RULES_B = f"""\
article:
  key: other
  source: t.txt
  title: Other <i>article</i>
  experts: [Bob Writer]
rules:
  - id: {OTHER_RULE}
    when: {{finding: butt_wink, is: false}}
    then: [triage_self_care]
    citation:
      quote: Another article says <i>otherwise</i> & means it.
"""
HOSTILE_DISPUTES = f"""\
disputes:
  - id: hostile_dispute
    topic: '<img src=x onerror="window.__pwned=8"> topic'
    kind: disagree
    summary: 'Summary with </script><script>window.__pwned=9</script> & "quotes".'
    editors_note: 'Editors say <b>this</b> & <script>window.__pwned=11</script>.'
    sides:
      - position: '<b>One</b> side & its rule'
        rules: [{HOSTILE_RULE}]
      - position: 'Other side <script>window.__pwned=10</script>'
        rules: [{OTHER_RULE}]
"""


# The sentence ledger of the hostile knowledge base: the heading in angle brackets is listed,
# the <svg> line is left unaccounted for (the article page shows both kinds).
HOSTILE_UNCITED = """\
articles:
  hostile:
    - line: 1
      text: "<h1>A heading in angle brackets</h1>"
      reason: page_furniture
"""


def hostile_kb(folder: Path) -> Path:
    """Write the hostile knowledge base under ``folder`` and return its root."""
    root = folder / "knowledge_base"
    (root / "rules").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "sources" / "s.txt").write_text(SOURCE_S, encoding="utf-8")
    (root / "sources" / "t.txt").write_text(SOURCE_T, encoding="utf-8")
    (root / "vocabulary.yaml").write_text(HOSTILE_VOCAB, encoding="utf-8")
    (root / "conclusions.yaml").write_text(HOSTILE_CONCLUSIONS, encoding="utf-8")
    (root / "rules" / "a.yaml").write_text(RULES_A, encoding="utf-8")
    (root / "rules" / "b.yaml").write_text(RULES_B, encoding="utf-8")
    (root / "disputes.yaml").write_text(HOSTILE_DISPUTES, encoding="utf-8")
    (root / "uncited.yaml").write_text(HOSTILE_UNCITED, encoding="utf-8")
    return root
