"""Benchmarks: print figures (medians and ratios); assert nothing.

    python3 -m uv run python bench/bench.py [--repeat N]

1. cold `lumbar consult` of an example, whole process;
2. warm `consult()` per case over every example (rules compiled once);
3. the same compiled rules run with no observer (no trace, no result) and the ratio;
4. rendering the largest example's trace with each Graphviz engine;
5. the knowledge-base tools: anomaly checks (`kb check`), the committed rule diagrams, the
   explorer pages;
6. per-case time on a synthetic knowledge base ten times larger (generated in a temp folder).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from lumbar.engine.consult import consult
from lumbar.engine.draw import explorer
from lumbar.engine.draw import rules as diagrams
from lumbar.engine.draw.consultation import render, trace_dot
from lumbar.engine.model import anomalies
from lumbar.engine.model import load as kb_module
from lumbar.engine.model.case import load_case
from lumbar.engine.run import backend
from lumbar.engine.run.backend import DEFAULT_MAX_FIRINGS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_case(kb: kb_module.KnowledgeBase, repeat: int) -> tuple[float, float]:
    """Median seconds per case: traced consult() vs a run with no observer, same compiled rules
    (consult's own, from the cache: their engines are built, which is not what is compared)."""
    cases = [load_case(p, kb) for p in EXAMPLES]
    rules = backend.compiled(kb)

    def traced() -> None:
        for case in cases:
            consult(case, kb)

    def bare() -> None:
        for case in cases:
            rules.run(case.findings, (), DEFAULT_MAX_FIRINGS)

    traced()  # warm the cache and build an engine
    return (median_seconds(traced, repeat) / len(cases), median_seconds(bare, repeat) / len(cases))


def synthetic(root: Path, factor: int) -> Path:
    """The knowledge base with every rule and conclusion copied ``factor`` times, each copy an
    independent chain (its own conclusion ids), so the Rete network really grows."""
    target = root / "knowledge_base"
    shutil.copytree(ROOT / "knowledge_base", target, ignore=shutil.ignore_patterns("__*"))
    concl = yaml.safe_load((target / "conclusions.yaml").read_text())
    ids = list(concl["conclusions"])
    for k in range(1, factor):
        for cid in ids:
            concl["conclusions"][f"{cid}__{k}"] = concl["conclusions"][cid]
    (target / "conclusions.yaml").write_text(yaml.safe_dump(concl, sort_keys=False))

    def rename(node, k):
        if isinstance(node, dict):
            return {
                key: (f"{v}__{k}" if key == "conclusion" else rename(v, k))
                for key, v in node.items()
            }
        if isinstance(node, list):
            return [rename(v, k) for v in node]
        return node

    for path in (target / "rules").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        originals = list(data["rules"])
        for k in range(1, factor):
            for rule in originals:
                copy = dict(rule)
                copy["id"] = f"{rule['id']}__{k}"
                copy["when"] = rename(rule["when"], k)
                copy["then"] = [f"{c}__{k}" for c in rule["then"]]
                data["rules"].append(copy)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    lumbar = str(Path(sys.executable).with_name("lumbar"))
    example = str(ROOT / "examples" / "strained_muscle.yaml")
    kb = kb_module.load()
    print(
        f"machine: {sys.platform}, python {sys.version.split()[0]}; {len(kb.rules)} rules, "
        f"{len(EXAMPLES)} example cases; medians of {repeat} runs"
    )

    cold = median_seconds(
        lambda: subprocess.run([lumbar, "consult", example], check=True, capture_output=True),
        repeat,
    )
    print(f"cold `lumbar consult` (whole process):            {cold * 1000:8.1f} ms")

    load_time = median_seconds(kb_module.load, repeat)
    compile_time = median_seconds(lambda: backend.DEFAULT.compile(kb), repeat)
    print(f"load + validate knowledge base:                   {load_time * 1000:8.1f} ms")
    first = load_case(EXAMPLES[0], kb).findings
    build_time = median_seconds(
        lambda: backend.DEFAULT.compile(kb).run(first, (), DEFAULT_MAX_FIRINGS), repeat
    )
    print(f"compile the rules:                                {compile_time * 1000:8.1f} ms")
    print(f"compile + first run (builds the Rete network):    {build_time * 1000:8.1f} ms")

    traced, bare = per_case(kb, repeat)
    print(f"warm consult() per case (trace + result):         {traced * 1000:8.2f} ms")
    print(f"run per case, no observer (same rules):           {bare * 1000:8.2f} ms")
    print(f"ratio traced / bare:                              {traced / bare:8.2f} x")

    results = [consult(load_case(p, kb), kb) for p in EXAMPLES]
    largest = max(results, key=lambda r: r.trace.number_of_nodes())
    source = trace_dot(largest, kb)
    print(
        f"render the largest example ({largest.case.id}, "
        f"{largest.trace.number_of_nodes()} trace nodes):"
    )
    print(
        f"  DOT text:                                       "
        f"{median_seconds(lambda: trace_dot(largest, kb), repeat) * 1000:8.1f} ms"
    )
    engines = [e for e in ("dot", "pure") if e == "pure" or shutil.which("dot")]
    for engine in engines:
        for fmt in ("svg", "png"):
            t = median_seconds(lambda e=engine, f=fmt: render(source, f, e), repeat)
            print(f"  {engine:4} -> {fmt}:                                  {t * 1000:8.1f} ms")

    print("knowledge-base tools:")
    t = median_seconds(lambda: anomalies.find_anomalies(kb), repeat)
    print(f"  anomaly checks (kb check after loading):        {t * 1000:8.1f} ms")
    whole = diagrams.plan(kb)[0]
    whole_dot = diagrams.rule_graph_dot(whole.rules, kb, whole.title)
    t = median_seconds(lambda: render(whole_dot, "svg", diagrams.ENGINE), repeat)
    print(
        f"  whole rule graph ({diagrams.node_count(whole_dot)} nodes) -> svg, pure:      "
        f"{t * 1000:8.1f} ms"
    )
    t = median_seconds(lambda: diagrams.files(kb), max(3, repeat // 2))
    print(f"  every committed diagram ({len(diagrams.plan(kb))} svg + README):     {t:8.2f} s")
    t = median_seconds(lambda: explorer.pages(kb), max(3, repeat // 2))
    size = sum(len(b) for b in explorer.pages(kb).values()) / 1e6
    print(f"  explorer pages ({size:.1f} MB):                      {t * 1000:8.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        big = kb_module.load(synthetic(Path(tmp), 10))
        big_traced, big_bare = per_case(big, max(3, repeat // 2))
    print(f"synthetic 10x knowledge base ({len(big.rules)} rules):")
    print(
        f"  warm consult() per case:                        {big_traced * 1000:8.2f} ms "
        f"({big_traced / traced:.1f}x the real one)"
    )
    print(f"  run per case, no observer:                      {big_bare * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
