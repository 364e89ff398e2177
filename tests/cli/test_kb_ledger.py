"""The sentence ledger from the command line: `lumbar kb check` fails on each kind of ledger
problem, at its file:line, on a scratch copy of the knowledge base; `lumbar kb coverage` counts
(text and --json) and never fails."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lumbar.cli.main import app

LEDGER = "uncited.yaml"
KLEIN = "sources/000_89ede210e5e8b98e.txt"
WEIGHT = "• Your weight is evenly distributed in both feet"  # klein-2024:65, to_encode
SHARE = "Share:"  # klein-2024:11 and :127, page_furniture


def check(runner, root: Path):
    return runner.invoke(app, ["kb", "check", "--kb", str(root)])


def reported(stderr: str) -> set[tuple[str, int, str]]:
    """(file, line, kind) of each problem line: `file:line: kind: message`."""
    found = re.finditer(r"^(\S+?):(\d+): (\w+): ", stderr, re.M)
    return {(m.group(1), int(m.group(2)), m.group(3)) for m in found}


def entry(root: Path, text: str, nth: int = 0) -> tuple[int, str]:
    """The line of the nth entry of uncited.yaml whose text is ``text`` (its `- line:`), and the
    entry's own lines as written."""
    lines = (root / LEDGER).read_text(encoding="utf-8").split("\n")
    at = [
        i
        for i, ln in enumerate(lines)
        if ln == f"      text: {json.dumps(text, ensure_ascii=False)}"
    ]
    start = at[nth] - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith("      "):
        end += 1
    return start + 1, "\n".join(lines[start:end]) + "\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_sentence_neither_cited_nor_listed_is_reported_at_the_article(runner, kb_copy) -> None:
    _, block = entry(kb_copy, WEIGHT)
    edit(kb_copy / LEDGER, block, "")
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    assert f"knowledge_base/{KLEIN}:65: unaccounted: no rule cites this sentence" in result.stderr
    assert f"“{WEIGHT}”" in result.stderr and "under articles.klein-2024" in result.stderr
    assert reported(result.stderr) == {(f"knowledge_base/{KLEIN}", 65, "unaccounted")}


def test_each_wrong_entry_is_reported_at_its_line_in_uncited_yaml(runner, kb_copy) -> None:
    at = f"knowledge_base/{LEDGER}"
    path = kb_copy / LEDGER
    reason_line, block = entry(kb_copy, SHARE)
    edit(path, block, block.replace("reason: page_furniture", "reason: boilerplate"))
    by_line, block = entry(kb_copy, "(More on that below.)")
    edit(path, block, block + "      by: no_such_rul\n")
    carried_line, block = entry(kb_copy, "Usually you\u2019ll be able to tell the difference.")
    edit(
        path,
        block,
        block.replace("rhetorical_or_transition", "carried_by_rule") + "      by: real_pain_talk\n",
    )
    moved_line, block = entry(kb_copy, "Woman demonstrates a bodyweight squat")
    edit(path, block, block.replace("line: 71", "line: 70"))
    typo_line, block = entry(kb_copy, "The Takeaway")
    edit(path, block, block.replace("The Takeaway", "The Take-away"))
    twice_line, block = entry(kb_copy, "Share:", nth=1)
    edit(path, block, block + block)
    result = check(runner, kb_copy)
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert re.search(rf"{at}:{reason_line + 2}: ledger: .*reason: Input should be", err), err
    assert re.search(
        rf"{at}:{by_line}: ledger: articles\.klein-2024\[\d+\]: Value error, only "
        "carried_by_rule and duplicate_of_cited_sentence name a rule in 'by'",
        err,
    )
    assert (
        f"{at}:{carried_line + 3}: ledger: by: 'real_pain_talk' is not a rule. Did you mean "
        "real_pain_talk_to_provider?"
    ) in err
    assert (
        f"{at}:{moved_line}: ledger: “Woman demonstrates a bodyweight squat” is not at "
        "000_89ede210e5e8b98e.txt:70 but at line 71"
    ) in err
    assert f"{at}:{typo_line}: ledger: “The Take-away” is not a sentence of " in err
    assert "The closest sentence there is “The Takeaway”." in err
    assert (
        f"{at}:{twice_line + 3}: ledger: this sentence is listed already (line {twice_line})"
        in (err)
    )
    # the sentences whose entries are wrong are now unaccounted for, at the article
    assert (f"knowledge_base/{KLEIN}", 71, "unaccounted") in reported(err)
    assert (f"knowledge_base/{KLEIN}", 121, "unaccounted") in reported(err)
    assert result.stdout.startswith("problems: ")


def test_an_entry_for_a_sentence_a_rule_now_cites_is_stale(runner, kb_copy) -> None:
    line, _ = entry(kb_copy, WEIGHT)
    edit(
        kb_copy / "rules/000_klein_peloton.yaml",
        "\nrules:\n",
        "\nrules:\n  - id: weight_evenly_on_both_feet\n"
        "    when: {finding: knees_cave_in, is: true}\n"
        "    then: [rec_knees_over_toes]\n"
        "    citation: {quote: Your weight is evenly distributed in both feet}\n",
    )
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    assert (
        f"knowledge_base/{LEDGER}:{line}: ledger: line 65 of 000_89ede210e5e8b98e.txt is cited "
        f"now, by weight_evenly_on_both_feet: remove it from {LEDGER}."
    ) in result.stderr


def test_an_edited_article_is_caught_on_both_sides(runner, kb_copy) -> None:
    line, _ = entry(kb_copy, WEIGHT)
    edit(kb_copy / KLEIN, WEIGHT, "• Your weight is spread evenly over both feet")
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    assert reported(result.stderr) == {
        (f"knowledge_base/{LEDGER}", line, "ledger"),
        (f"knowledge_base/{KLEIN}", 65, "unaccounted"),
    }


def test_a_missing_ledger_fails_the_check_with_one_clear_message(runner, kb_copy) -> None:
    (kb_copy / LEDGER).unlink()
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"knowledge_base/{LEDGER}: ledger: no such file, and 3")
    assert len(result.stderr.splitlines()) == 1


def test_an_unreadable_ledger_is_a_problem_of_the_check(runner, kb_copy) -> None:
    (kb_copy / LEDGER).write_text("articles:\n  klein-2024: [\n", encoding="utf-8")
    result = check(runner, kb_copy)
    assert result.exit_code == 1
    assert re.search(rf"knowledge_base/{LEDGER}:\d+: ledger: this is not valid YAML", result.stderr)


def test_an_unknown_article_key_is_named_with_the_closest(runner, kb_copy) -> None:
    edit(kb_copy / LEDGER, "  forsythe:", "  forsyth:")
    result = check(runner, kb_copy)
    assert "ledger: articles.forsyth: no article has this key. Did you mean forsythe?" in (
        result.stderr
    )


# ---- kb coverage ------------------------------------------------------------------------------


def test_coverage_counts_every_article_and_lists_the_sentences_to_encode(runner, kb) -> None:
    result = runner.invoke(app, ["kb", "coverage", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["found"] and data["problems"] == 0
    assert [a["article"] for a in data["articles"]] == list(kb.articles)
    for a in [*data["articles"], data["total"]]:
        assert a["sentences"] == a["cited"] + a["uncited"]["total"] + a["unaccounted"]
        assert a["uncited"]["total"] == sum(a["uncited"]["by_reason"].values())
        assert list(a["uncited"]["by_reason"]) == list(data["reasons"])
    for key in ("sentences", "cited", "unaccounted"):
        assert data["total"][key] == sum(a[key] for a in data["articles"])
    assert data["total"]["unaccounted"] == 0 and data["unaccounted"] == []
    assert len(data["to_encode"]) == data["total"]["uncited"]["by_reason"]["to_encode"] > 0
    weight = {"article": "klein-2024", "source": Path(KLEIN).name, "line": 65, "text": WEIGHT}
    assert weight in data["to_encode"]

    text = runner.invoke(app, ["kb", "coverage"])
    assert text.exit_code == 0 and text.stderr == ""
    out = text.stdout
    klein = data["articles"][0]
    assert re.search(
        rf"^klein-2024 \(000_89ede210e5e8b98e\.txt\)\n  sentences +{klein['sentences']}\n"
        rf"  cited by a rule +{klein['cited']} \(\d+%\)\n"
        rf"  uncited, listed with a reason +{klein['uncited']['total']}\n",
        out,
        re.M,
    ), out
    assert re.search(r"^All 5 articles\n", out, re.M)
    assert re.search(rf"^    to_encode +{len(data['to_encode'])}  work to do$", out, re.M)
    assert "To encode: a consultation could act on these, and no rule cites them yet (" in out
    assert f"  000_89ede210e5e8b98e.txt:65  {WEIGHT}\n" in out
    assert "Unaccounted for" not in out


def test_coverage_without_a_ledger_reports_everything_uncited_as_unaccounted(
    runner, kb_copy
) -> None:
    (kb_copy / LEDGER).unlink()
    result = runner.invoke(app, ["kb", "coverage", "--kb", str(kb_copy), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert not data["found"] and data["to_encode"] == []
    assert data["total"]["uncited"]["total"] == 0
    assert data["total"]["unaccounted"] == data["total"]["sentences"] - data["total"]["cited"] > 0
    text = runner.invoke(app, ["kb", "coverage", "--kb", str(kb_copy)]).stdout
    assert "knowledge_base/uncited.yaml does not exist: every sentence no rule cites is" in text
    assert "Unaccounted for" not in text  # every one of them: the note says so instead


def test_coverage_lists_the_unaccounted_and_notes_a_broken_ledger(runner, kb_copy) -> None:
    _, block = entry(kb_copy, WEIGHT)
    edit(kb_copy / LEDGER, block, "")
    _, block = entry(kb_copy, SHARE)
    edit(kb_copy / LEDGER, block, block.replace("page_furniture", "boilerplate"))
    result = runner.invoke(app, ["kb", "coverage", "--kb", str(kb_copy)])
    assert result.exit_code == 0
    assert "knowledge_base/uncited.yaml has 1 problem(s)" in result.stdout
    assert "Unaccounted for: no rule cites these, and uncited.yaml does not list them (2)" in (
        result.stdout
    )
    assert f"  000_89ede210e5e8b98e.txt:65  {WEIGHT}\n" in result.stdout
