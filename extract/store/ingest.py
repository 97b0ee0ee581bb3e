"""Paths (or pasted texts) → articles → claims → the store, in batches that each land whole or not at all.

Reading and de-duplication run in this process; extraction runs in worker processes, and so does the grouping
of the incident regroup at the end of the run; the write connection is opened only to commit each batch (DuckDB
has one writer or many readers, so readers get in between).
"""
from __future__ import annotations

import gc
import hashlib
import multiprocessing
import multiprocessing.pool
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from extract import EXTRACTOR_VERSION, extract_claims
from extract.claim import FIELD_NAMES, Claim
from extract.gc_pause import cycle_collector_paused
from extract.store import db
from extract.store.readers import MAX_FILE_MB, Article, Rejection, article, expand, read_file
from extract.text import normalise_str

CHUNK = 64
"""Documents per task sent to a worker (fewer, larger tasks: less pickling and bookkeeping per document)."""
BATCH = 3000
"""Articles per transaction by default. Each commit costs the ingest process about 0.1 CPU-s whatever its size
(open, write, checkpoint), and its Arrow tables and checkpoint a few MB that do not grow with the store (a batch's
checkpoint writes only its own rows: ``db.writer(vacuum=False)``): 3,000 saves about 0.4 CPU-s against 1,500 at
20k documents, and the run's peak stays in the regroup."""
REGROUP_MEMORY = "64MB"
"""DuckDB's buffer pool during the regroup: what it caches of the claims it scans stays this small."""

_INCLUDE = pa.struct([("victims", pa.string()), ("low", pa.int64()), ("best", pa.int64()), ("high", pa.int64()),
                      ("qualifier", pa.string())])
_TYPES = {"low": pa.int64(), "best": pa.int64(), "high": pa.int64(), "start": pa.int32(), "end": pa.int32(),
          "includes": pa.list_(_INCLUDE), "self_reported": pa.bool_(), "negated": pa.bool_(), "lat": pa.float64(),
          "lon": pa.float64(), "event_date": pa.date32(), "confidence": pa.float64()}
CLAIM_SCHEMA = pa.schema([(n, _TYPES.get(n, pa.string())) for n in FIELD_NAMES] + [("article_id", pa.string())])
ARTICLE_SCHEMA = pa.schema([("id", pa.string()), ("doc", pa.string()), ("title", pa.string()), ("text", pa.string()),
                            ("lang", pa.string()), ("published", pa.date32()), ("outlet", pa.string()),
                            ("url", pa.string()), ("origin", pa.string()), ("extractor_version", pa.string()),
                            ("n_claims", pa.int32())])
_ARTICLE_FIELDS = ("doc", "title", "text", "lang", "published", "outlet", "url", "origin")
"""The columns of ARTICLE_SCHEMA that an article dict gives."""


def article_id(text: str) -> str:
    """The article's id: a hash of its normalised text (case, Arabic letter forms, digits, spacing folded)."""
    return hashlib.sha256(" ".join(normalise_str(text).split()).encode("utf-8")).hexdigest()[:32]


@dataclass
class IngestReport:
    """What one run saw and did."""

    run_id: int | None = None
    files: int = 0
    seen: int = 0
    added: int = 0
    duplicates: int = 0
    reextracted: int = 0
    claims_added: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0
    regroup_seconds: float = 0.0
    """Part of ``seconds`` spent regrouping the incidents of the blocks the run touched."""

    @property
    def docs_per_s(self) -> float:
        """Documents read per second of the whole run."""
        return self.seen / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """The closing summary: counts, then each rejection with its reason."""
        lines = [f"run {self.run_id}: {self.files} files, {self.seen} documents in {self.seconds:.1f} s "
                 f"({self.docs_per_s:.1f} docs/s): added {self.added} ({self.claims_added} claims), "
                 f"duplicates {self.duplicates}, re-extracted {self.reextracted}, rejected {len(self.rejections)}; "
                 f"incidents regrouped in {self.regroup_seconds:.1f} s"]
        lines += [f"  rejected {r.origin}: {r.reason}" for r in self.rejections]
        return "\n".join(lines)


def ingest_paths(paths: Iterable[str], db_path: str | Path = db.DEFAULT_DB, workers: int | None = None,
                 reextract: bool = False, progress: bool = True, batch_size: int = BATCH,
                 max_file_mb: float = MAX_FILE_MB) -> IngestReport:
    """Ingest files, directories (recursed) and globs into the store at ``db_path``."""
    paths = list(paths)
    files, rejected = expand(paths)

    def items() -> Iterator[Article | Rejection]:
        yield from rejected
        for f in files:
            yield from read_file(f, max_file_mb)
            bar.file_done()

    bar = _Progress(len(files), sys.stderr if progress else None)
    return _ingest(items(), paths, Path(db_path), workers, reextract, batch_size, bar)


def ingest_texts(texts: Iterable[str | dict[str, Any]], db_path: str | Path = db.DEFAULT_DB,
                 workers: int | None = 1, reextract: bool = False, progress: bool = False) -> IngestReport:
    """Ingest pasted texts: plain strings, or dicts with text and optionally id, title, date, outlet, url."""
    def items() -> Iterator[Article | Rejection]:
        for n, t in enumerate(texts, 1):
            row = {"text": t} if isinstance(t, str) else dict(t)
            text = row.get("text")
            if not isinstance(text, str) or not text.strip():
                yield Rejection(f"pasted#{n}", "no text")
                continue
            yield article(str(row.get("id") or f"pasted:{article_id(text)[:12]}"), text, f"pasted#{n}",
                          title=row.get("title"), published=row.get("date"), outlet=row.get("outlet"),
                          url=row.get("url"), lang=row.get("lang"))

    return _ingest(items(), ["(pasted)"], Path(db_path), workers, reextract, BATCH,
                   _Progress(0, sys.stderr if progress else None))


# ---------------------------------------------------------------- the pipeline

@dataclass
class _Batch:
    articles: list[pa.Table] = field(default_factory=list)
    claims: list[pa.Table] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    docs: int = 0
    seen: int = 0
    skipped: int = 0


def _ingest(items: Iterator[Article | Rejection], paths: list[str], db_path: Path, workers: int | None,
            reextract: bool, batch_size: int, bar: _Progress) -> IngestReport:
    """The run, with the cycle collector paused: it makes no reference cycles (a 10,000-document run leaves none for
    it to find), and each full pass would walk pandas', pyarrow's and DuckDB's objects again."""
    with cycle_collector_paused():
        return _ingest_run(items, paths, db_path, workers, reextract, batch_size, bar)


def _ingest_run(items: Iterator[Article | Rejection], paths: list[str], db_path: Path, workers: int | None,
                reextract: bool, batch_size: int, bar: _Progress) -> IngestReport:
    t0 = time.perf_counter()
    with db.writer(db_path) as con:
        stored = db.stored_versions(con)
    run = db.RunInfo(paths=paths, extractor_version=EXTRACTOR_VERSION)
    report = IngestReport(files=bar.files)
    batch = _Batch()
    touched: set[db.Block] = set()
    pool = _Workers(workers)

    def tasks() -> Iterator[list[tuple[str, bool, Article]]]:
        """Chunks of (article id, replaces stored claims, article) to extract; counts the rest in the batch."""
        seen_ids: set[str] = set()
        chunk: list[tuple[str, bool, Article]] = []
        for item in items:
            if isinstance(item, Rejection):
                batch.rejections.append(item)
                report.rejections.append(item)
                continue
            batch.seen += 1
            aid = article_id(item["text"])
            known = stored.get(aid)
            if aid in seen_ids or (known is not None and not (reextract and known != EXTRACTOR_VERSION)):
                batch.skipped += 1
                continue
            seen_ids.add(aid)
            chunk.append((aid, known is not None, item))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def commit(finished: bool) -> None:
        bar.note(f"writing batch of {batch.docs} articles")
        articles = pa.concat_tables(batch.articles) if batch.articles else ARTICLE_SCHEMA.empty_table()
        claims = pa.concat_tables(batch.claims) if batch.claims else CLAIM_SCHEMA.empty_table()
        touched.update(claim_blocks(claims))
        with db.writer(db_path, threads=1, vacuum=bool(batch.replace)) as con:  # appends only: no row group rewritten
            landed = db.write_batch(con, run, articles, claims, batch.replace, seen=batch.seen,
                                    skipped=batch.skipped, rejections=[(r.origin, r.reason) for r in batch.rejections],
                                    finished=finished)
        for k in ("added", "reextracted", "duplicates", "claims_added"):
            setattr(report, k, getattr(report, k) + landed[k])
        report.seen += batch.seen
        batch.__init__()
        del articles, claims
        pa.default_memory_pool().release_unused()  # the batch's Arrow buffers: jemalloc would keep their pages
        if finished:  # incidents: regroup the blocks the run touched, once, on a connection of its own
            t = time.perf_counter()
            with db.writer(db_path, threads=1, memory_limit=REGROUP_MEMORY, vacuum=False) as con:
                db.regroup_incidents(con, sorted(touched), pool.pool, width=pool.n + 1)
            report.regroup_seconds = time.perf_counter() - t
        bar.update(report)

    try:
        for chunk, (found, claims) in _extract_all(tasks(), pool):
            rows = []
            for (aid, replaces, a), n in zip(chunk, found):
                if isinstance(n, str):  # the extractor failed on it
                    failed = Rejection(a["origin"], n)
                    batch.rejections.append(failed)
                    report.rejections.append(failed)
                    continue
                rows.append((aid, a, n))
                if replaces:
                    batch.replace.append(aid)
            batch.articles.append(articles_table(rows))  # the chunk's article dicts are let go
            batch.claims.append(claims)
            batch.docs += len(rows)
            bar.update(report, pending=batch.seen)
            if batch.docs >= batch_size:
                commit(finished=False)
        commit(finished=True)
    finally:
        pool.close()
    report.run_id = run.run_id
    report.seconds = time.perf_counter() - t0
    bar.close(report)
    return report


class _Workers:
    """The worker processes: started when extraction first needs them (never for one worker or a one-task input),
    then lent to the incident regroup at the end of the run."""

    def __init__(self, n: int | None):
        self.n = n or os.cpu_count() or 1
        self.pool: Any = None

    def start(self) -> Any:
        if self.pool is None:
            self.pool = _Pool(self.n, initializer=_worker_start, context=multiprocessing.get_context("spawn"))
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def _worker_start() -> None:
    """A worker's first step: everything it has imported (pyarrow, pandas, numpy, duckdb: hundreds of thousands of
    objects that live as long as the process) is set aside from the cycle collector (``gc.freeze``). Otherwise every
    full collection walks them again while the extractor allocates: that cost a worker about 15% of its extraction
    time (docs/eval-notes.md, section 1j)."""
    gc.freeze()


class _Pool(multiprocessing.pool.Pool):
    """A Pool whose worker-handler thread wakes only when a worker exits or the pool changes state. The stock one
    also wakes whenever a result is waiting in the result pipe, and so spins (taking the GIL from this process's
    other threads) until the result-handler thread has read it: about 0.7 CPU-s of the ingest process over a
    20k-document run. Its only use of that wake-up is to replace workers that exit after ``maxtasksperchild`` tasks,
    which this pool never sets (a worker that dies is still noticed through its sentinel)."""

    def _get_sentinels(self) -> list:
        return [self._change_notifier._reader]


def _extract_all(tasks: Iterator[list[tuple[str, bool, Article]]], workers: _Workers
                 ) -> Iterator[tuple[list[tuple[str, bool, Article]], tuple[list[int | str], pa.Table]]]:
    """Each chunk of articles with what ``extract_chunk`` found in it, in task order: in this process for one
    worker or a small input, else in the pool of ``workers`` with a bounded number of tasks in flight (memory stays
    flat). A worker is sent only what extraction reads of each article, and sends back only the claims: this
    process keeps the chunk (the article rows are built here, their text never travels back)."""
    head = list(islice(tasks, 2))
    if workers.n == 1 or len(head) < 2:
        for t in chain(head, tasks):
            yield t, extract_chunk(_docs(t))
        return
    pool = workers.start()
    pending: deque = deque()
    for t in chain(head, tasks):
        pending.append((t, pool.apply_async(extract_chunk, (_docs(t),))))
        while len(pending) > workers.n * 4:
            t, result = pending.popleft()
            yield t, result.get()
    while pending:
        t, result = pending.popleft()
        yield t, result.get()


def _docs(chunk: list[tuple[str, bool, Article]]) -> list[tuple[str, str, str, date | None]]:
    """What extraction reads of each article of a chunk: (id, text, doc, published)."""
    return [(aid, a["text"], a["doc"], a["published"]) for aid, _, a in chunk]


def extract_chunk(docs: list[tuple[str, str, str, date | None]]) -> tuple[list[int | str], pa.Table]:
    """Extract the claims of a chunk of documents (id, text, doc, published; runs in a worker): for each document
    the number of claims found, or why the extractor failed on it (one bad document must not sink the run), and
    the claims as an Arrow table."""
    found: list[int | str] = []
    claims: list[Claim] = []
    owners: list[str] = []
    for aid, text, doc, published in docs:
        try:
            got = extract_claims(text, doc=doc, published=published)
        except Exception as e:
            found.append(f"extractor failed: {type(e).__name__}: {e}")
            continue
        found.append(len(got))
        claims += got
        owners += [aid] * len(got)
    return found, claims_table(claims, owners)


def articles_table(rows: list[tuple[str, Article, int]]) -> pa.Table:
    """Article rows (id, article, claims found) as an Arrow table in the store's column types."""
    cols: dict[str, list] = {"id": [aid for aid, _, _ in rows]}
    for name in _ARTICLE_FIELDS:
        cols[name] = [a.get(name) for _, a, _ in rows]
    cols["extractor_version"] = [EXTRACTOR_VERSION] * len(rows)
    cols["n_claims"] = [n for _, _, n in rows]
    return pa.table(cols, schema=ARTICLE_SCHEMA)


_FIELDS = attrgetter(*FIELD_NAMES)


def claims_table(claims: list[Claim], article_ids: list[str]) -> pa.Table:
    """Claims as an Arrow table in the store's column types (``includes`` a list of structs)."""
    values = zip(*map(_FIELDS, claims)) if claims else ([] for _ in FIELD_NAMES)
    cols: dict[str, Any] = dict(zip(FIELD_NAMES, values))
    cols["includes"] = [[{k: d.get(k) for k in _INCLUDE.names} for d in c] for c in cols["includes"]]
    cols["article_id"] = article_ids
    return pa.Table.from_pydict(cols, schema=CLAIM_SCHEMA)


def claim_blocks(claims: pa.Table) -> set[db.Block]:
    """The incident blocks (category, asset or '', country or '') of some claims: what ``db.claim_blocks`` finds
    for them once stored, without a scan of the store."""
    cols = (claims.column(n).to_pylist() for n in ("category", "asset", "country"))
    return {(c, a or "", k or "") for c, a, k in zip(*cols)}


class _Progress:
    """A one-line progress bar on stderr (a line per update when stderr is not a terminal)."""

    def __init__(self, files: int, out: TextIO | None):
        self.files, self.out, self.done = files, out, 0
        self.t0 = self.last = time.perf_counter()
        self.tty = bool(out and out.isatty())
        self.report: IngestReport | None = None
        self.pending = 0

    def file_done(self) -> None:
        self.done += 1

    def update(self, report: IngestReport, pending: int = 0) -> None:
        self.report, self.pending = report, pending
        now = time.perf_counter()
        if now - self.last >= (0.2 if self.tty else 2.0):
            self.last = now
            self._show("")

    def note(self, what: str) -> None:
        self._show(what)

    def close(self, report: IngestReport) -> None:
        if self.out:
            self._show("done")
            if self.tty:
                self.out.write("\n")
            self.out.write(report.summary() + "\n")
            self.out.flush()

    def _show(self, what: str) -> None:
        if not self.out or self.report is None and not what:
            return
        r = self.report or IngestReport()
        docs = r.seen + self.pending
        rate = docs / max(time.perf_counter() - self.t0, 1e-9)
        files = ""
        if self.files:
            filled = round(20 * self.done / self.files)
            files = f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.files} files, "
        line = (f"ingest: {files}{docs} docs, {rate:.1f} docs/s, added {r.added}, duplicates {r.duplicates}, "
                f"rejected {len(r.rejections)}" + (f" - {what}" if what else ""))
        self.out.write(("\r\x1b[K" + line) if self.tty else line + "\n")
        self.out.flush()
