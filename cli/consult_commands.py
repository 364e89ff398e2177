"""`lumbar consult` and `lumbar explain`: a case in, an answer or an explanation out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..engine import explain as explain_module
from ..engine.consult import consult as run_consult
from ..engine.errors import LumbarError, Problem
from ..engine.interview import Interview
from ..engine.model import load as kb_module
from ..engine.model.case import load_case
from ..engine.model.knowledge import KnowledgeBase
from ..engine.questions import ask
from ..engine.run.trace import to_graphml, to_node_link
from ..engine.serialize import to_data
from . import consult_text as fmt
from . import dialogue
from .app import (
    CaseArg,
    DiagramOption,
    EngineOption,
    JsonOption,
    KbOption,
    app,
    emit_json,
    reports_errors,
)
from .outputs import diagram_bytes, diagram_format, write_all
from .text import echo


@app.command()
@reports_errors
def consult(
    case: Annotated[
        str | None,
        typer.Argument(
            help="Case file (YAML or JSON), or - for standard input. Without one, on a "
            "terminal: the guided interview (--ask).",
            metavar="[CASE]",
        ),
    ] = None,
    ask_: Annotated[
        bool,
        typer.Option(
            "--ask",
            help="Guided interview: ask what is still open, one question at a time, warning "
            "signs first (starting from CASE if given). Answers may be piped, one per line.",
        ),
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            help="With --ask: write the answers as a case file (.yaml or .json) that `lumbar "
            "consult FILE` reproduces.",
            metavar="FILE",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let --save replace an existing file.")
    ] = False,
    json_out: JsonOption = False,
    all_citations: Annotated[
        bool,
        typer.Option(
            "--all-citations",
            help="Show every supporting citation, not two, every open question, and every "
            "dispute in full.",
        ),
    ] = False,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="One screen for clinicians: triage and how firm it is, the warning signs to "
            "ask, the top 3 causes and 5 actions with one citation each.",
        ),
    ] = False,
    disputes: Annotated[
        bool,
        typer.Option(
            "--disputes",
            help="Show every dispute the case touches with every side cited (by default, only "
            "those this answer rests on, compactly).",
        ),
    ] = False,
    diagram: DiagramOption = None,
    trace: Annotated[
        Path | None,
        typer.Option(
            "--trace",
            help="Write the trace graph to FILE: .json (node-link) or .graphml.",
            metavar="FILE",
        ),
    ] = None,
    engine: EngineOption = "auto",
    kb: KbOption = None,
) -> None:
    """Triage, likely causes and what to do for CASE, each line with its citations; or, with
    --ask (or no CASE on a terminal), a guided interview that asks what matters."""
    fmt_diagram = diagram_format(diagram)
    if trace is not None and trace.suffix not in (".json", ".graphml"):
        raise LumbarError(
            Problem(
                str(trace), None, None, "name the trace file .json (node-link JSON) or .graphml."
            )
        )
    asking = ask_ or (case is None and dialogue.terminal())
    _check_interview(case, asking, save, force)
    knowledge = kb_module.load(kb)
    if asking:
        finished = _interview(case, save, knowledge, json_out)
        if finished is None:
            return  # quit: no answer
        result = ask(finished.result, knowledge)
    else:
        result = ask(run_consult(load_case(case, knowledge), knowledge), knowledge)
    outputs = []  # written together, after all are made: every one or none
    if diagram is not None and fmt_diagram is not None:
        outputs.append((diagram, diagram_bytes(result, knowledge, fmt_diagram, engine)))
    if trace is not None:
        data = (
            to_graphml(result.trace)
            if trace.suffix == ".graphml"
            else (
                json.dumps(to_node_link(result.trace), indent=2, ensure_ascii=False) + "\n"
            ).encode("utf-8")
        )
        outputs.append((trace, data))
    if asking and save is not None:
        outputs.append((save, dialogue.case_file(finished, save)))
    write_all(outputs)
    if diagram is not None:
        echo(f"diagram written to {diagram}", err=True)
    if json_out:
        emit_json(to_data(result))
    else:
        text = fmt.brief(result) if brief else fmt.consultation(result, all_citations, disputes)
        echo(text, nl=False)
    if asking and not json_out:
        dialogue.follow_up(finished, knowledge, dialogue.Console.standard(to_stderr=False))


def _check_interview(case: str | None, asking: bool, save: Path | None, force: bool) -> None:
    """Before anything is asked: a case or someone to ask, and somewhere --save may write."""
    if case is None and not asking:
        raise LumbarError(
            Problem.about(
                "case",
                "no case given, and standard input is not a terminal, so there is no one to ask. "
                "Give a case file (or - to read one from standard input), or --ask with the "
                "answers piped one per line (end them with done).",
            )
        )
    if not asking:
        if save is not None:
            raise LumbarError(Problem.about("save", "--save needs --ask (the interview)."))
        return
    if case == "-":
        raise LumbarError(
            Problem.about(
                "case",
                "--ask reads the answers from standard input; give the starting case as a file.",
            )
        )
    if save is not None:
        if save.suffix not in (".yaml", ".yml", ".json"):
            raise LumbarError(Problem(str(save), None, None, "name the case file .yaml or .json."))
        if save.exists() and not force:
            raise LumbarError(
                Problem(
                    str(save),
                    None,
                    None,
                    "already exists; lumbar does not replace it: choose another name, or add "
                    "--force to replace it.",
                )
            )


def _interview(
    case: str | None, save: Path | None, knowledge: KnowledgeBase, json_out: bool
) -> Interview | None:
    start = load_case(case, knowledge) if case is not None else None
    begun = Interview.begin(knowledge, dialogue.starting_case(start, save))
    return dialogue.interview(knowledge, begun, dialogue.Console.standard(to_stderr=json_out))


@app.command()
@reports_errors
def explain(
    case: CaseArg,
    conclusion: Annotated[
        str | None,
        typer.Argument(help="A conclusion id; without it, every conclusion is explained."),
    ] = None,
    why_not: Annotated[
        str | None,
        typer.Option(
            "--why-not",
            help="Explain why this conclusion was NOT reached: each rule "
            "that could conclude it, which conditions held, failed or were unknown, "
            "and what to ask next.",
            metavar="CONCLUSION",
        ),
    ] = None,
    json_out: JsonOption = False,
    diagram: DiagramOption = None,
    engine: EngineOption = "auto",
    kb: KbOption = None,
) -> None:
    """HOW a conclusion was reached (the chain back to the findings, every step cited), or
    WHY NOT another one."""
    fmt_diagram = diagram_format(diagram)
    if why_not is not None and conclusion is not None:
        raise LumbarError(
            Problem.about(
                "why_not",
                f"give either CONCLUSION ({conclusion}: how it was reached) or --why-not "
                f"{why_not} (why it was not), not both.",
            )
        )
    if why_not is not None and diagram is not None:
        raise LumbarError(
            Problem.about(
                "diagram",
                "--diagram draws how conclusions were reached; with --why-not there is no "
                "chain to draw. Draw the consultation with `lumbar consult CASE --diagram FILE`.",
            )
        )
    knowledge = kb_module.load(kb)
    result = run_consult(load_case(case, knowledge), knowledge)
    if why_not is not None:
        report = explain_module.why_not(result, knowledge, why_not)
        disputes = explain_module.disputes_of_candidates(result, knowledge, report)
        if json_out:
            emit_json({**to_data(report), "disputes": to_data(disputes)})
        else:
            echo(fmt.why_not_report(report, disputes), nl=False)
        return
    trees = (
        [explain_module.how(result, knowledge, conclusion)]
        if conclusion
        else explain_module.how_all(result, knowledge)
    )
    if diagram is not None and fmt_diagram is not None:
        write_all([(diagram, diagram_bytes(result, knowledge, fmt_diagram, engine, conclusion))])
        echo(f"diagram written to {diagram}", err=True)
    disputes = [explain_module.disputes_in(result, t) for t in trees]
    if json_out:
        emit_json(
            [{**to_data(t), "disputes": to_data(ds)} for t, ds in zip(trees, disputes, strict=True)]
        )
    else:
        labels = {d.id: d.label for d in result.conclusions}
        echo(
            "\n".join(fmt.how_tree(t, ds, labels) for t, ds in zip(trees, disputes, strict=True)),
            nl=False,
        )
