"""Ingest speed: documents/s, the overhead of ingest over bare extraction, and peak memory as the corpus grows.

    python bench/ingest_speed.py                       # 20,000 synthetic documents, all cores
    python bench/ingest_speed.py --docs 2000 --workers 1

Bare extraction runs extract_claims over the same documents with the same number of processes (the corpus
already parsed); ingest is the whole path (read the JSONL file, dates, de-duplication, extraction, Arrow
batches, DuckDB transactions, incident regrouping), each in a fresh process, the two in turn for ``--rounds``
rounds (a busy spell of a shared machine then slows both alike). The floor: median overhead <= 25%. Peak
memory (the ingest process, and its largest worker) is measured for a quarter, a half and the whole corpus, each
ingested into a fresh store: flat means no larger corpus peaks more than 10% above the quarter.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import synthetic  # noqa: E402


_INGEST = """
import json, resource, sys, time
from extract.store.ingest import ingest_paths
t = time.perf_counter()
r = ingest_paths([sys.argv[1]], sys.argv[2], workers=int(sys.argv[3]), progress=False)
print(json.dumps({"seconds": time.perf_counter() - t, "regroup": r.regroup_seconds, "added": r.added,
                  "claims": r.claims_added,
                  "rejected": len(r.rejections),
                  "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "cpu_main": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                  "cpu_workers": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])}))
"""

_BARE = """
import json, multiprocessing, resource, sys, time
sys.path[:0] = [{root!r}, {bench!r}]
from ingest_speed import bare_chunk
docs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
from extract.dates import parse_date
items = [(d["text"], d["id"], parse_date(d["date"])) for d in docs]
chunks = [items[i:i + 16] for i in range(0, len(items), 16)]
workers = int(sys.argv[2])
t = time.perf_counter()
if workers == 1:
    n = sum(bare_chunk(c) for c in chunks)
else:
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        n = sum(pool.imap(bare_chunk, chunks))
print(json.dumps({{"seconds": time.perf_counter() - t, "claims": n,
                  "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) + sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])}}))
"""


def bare_chunk(chunk: list) -> int:
    """Claims found in a chunk of (text, doc, published): extraction alone."""
    from extract import extract_claims

    return sum(len(extract_claims(text, doc=doc, published=published)) for text, doc, published in chunk)


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


FLAT = 0.10
"""Memory is flat when no larger corpus peaks more than this fraction above the smallest one."""


def flatness(rows: list[tuple[int, dict]]) -> str:
    """The verdict on peak memory over growing corpora: each process's largest peak against the smallest corpus's."""
    parts, flat = [], True
    for key, name in (("rss_main_mb", "ingest process"), ("rss_worker_mb", "largest worker")):
        growth = max(r[key] for _, r in rows) / rows[0][1][key] - 1
        flat &= growth <= FLAT
        parts.append(f"{name} {growth:+.1%}")
    return (f"peak growth from {rows[0][0]} to {rows[-1][0]} documents: {', '.join(parts)} "
            f"(flat: at most {FLAT:+.0%}) {'FLAT' if flat else 'NOT FLAT'}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=20000, help="documents in the full corpus (default 20000)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    p.add_argument("--no-memory", action="store_true", help="skip the memory runs on smaller corpora")
    p.add_argument("--rounds", type=int, default=3, help="bare/ingest pairs run in turn; the median is the figure "
                                                          "(default 3)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = synthetic.write_jsonl(tmp / "corpus.jsonl", args.docs)
        print(f"corpus: {args.docs} synthetic documents, {corpus.stat().st_size / 1e6:.1f} MB; "
              f"workers: {args.workers}")
        rounds = []
        for k in range(args.rounds):  # bare and ingest in turn: a busy spell of the machine hits both alike
            bare = _run(_BARE.format(root=str(ROOT), bench=str(ROOT / "bench")), str(corpus), str(args.workers))
            full = _run(_INGEST, str(corpus), str(tmp / f"full{k}.duckdb"), str(args.workers))
            rounds.append((bare, full))
            cpu = full["cpu_main"] + full["cpu_workers"]
            print(f"round {k + 1}: bare {bare['seconds']:.1f} s ({args.docs / bare['seconds']:.1f} docs/s, "
                  f"{bare['claims']} claims); ingest {full['seconds']:.1f} s ({args.docs / full['seconds']:.1f} "
                  f"docs/s, {full['claims']} claims, {full['added']} articles; incident regrouping "
                  f"{full['regroup']:.1f} s): overhead {full['seconds'] / bare['seconds'] - 1:+.1%} "
                  f"({(full['seconds'] - full['regroup']) / bare['seconds'] - 1:+.1%} without the regrouping); "
                  f"CPU {bare['cpu']:.1f} vs {cpu:.1f} ({cpu / bare['cpu'] - 1:+.1%}), the ingest process "
                  f"{full['cpu_main']:.1f}")
        overheads = sorted(f["seconds"] / b["seconds"] - 1 for b, f in rounds)
        cpus = sorted((f["cpu_main"] + f["cpu_workers"]) / b["cpu"] - 1 for b, f in rounds)
        overhead = statistics.median(overheads)
        print(f"overhead over bare extraction, median of {len(rounds)} rounds: {overhead:+.1%} (CPU "
              f"{statistics.median(cpus):+.1%}; rounds {', '.join(f'{o:+.1%}' for o in overheads)}) "
              f"(floor: <= +25%) {'OK' if overhead <= 0.25 else 'OVER'}")
        full = rounds[-1][1]
        sizes = [] if args.no_memory else [args.docs // 4, args.docs // 2]
        rows = []
        for n in sizes:
            part = synthetic.write_jsonl(tmp / f"c{n}.jsonl", n)
            rows.append((n, _run(_INGEST, str(part), str(tmp / f"m{n}.duckdb"), str(args.workers))))
        rows.append((args.docs, full))
        print("peak memory (MB)   docs   ingest process   largest worker")
        for n, r in rows:
            print(f"{'':18} {n:6d}   {r['rss_main_mb']:14.0f}   {r['rss_worker_mb']:14.0f}")
        if len(rows) > 1:
            print(flatness(rows))


if __name__ == "__main__":
    multiprocessing.freeze_support()
    main()
