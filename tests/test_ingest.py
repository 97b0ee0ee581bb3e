"""Ingest: every input format, idempotence, re-extraction, bad input, parallel workers, and a real SIGKILL."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from extract import EXTRACTOR_VERSION, extract_claims
from extract.store import db
from extract.store.ingest import article_id, ingest_paths, ingest_texts
from test_store import make_claim, store_articles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import synthetic  # noqa: E402

EN = "At least 12 civilians were killed in an airstrike on Gaza on Monday, the health ministry said."
AR = "قتل 15 مدنيا وأصيب 30 آخرون في قصف على مدينة الرقة أمس بحسب المرصد السوري."
HTML = f"""<!doctype html><html><head><title>Strike | Example News</title>
<meta property="og:title" content="Strike on Gaza"><meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-03-04"></head>
<body><nav>Home | World</nav><article><h1>Strike on Gaza</h1><p>{EN}</p>
<p>Rescue workers searched the rubble through the night, residents said, as aid agencies called for access.</p>
</article><footer>Copyright Example News</footer></body></html>"""
RSS = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire Feed</title>
<item><title>Strike</title><link>https://example.org/rss/1</link><guid>rss-1</guid>
<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate><description>&lt;p&gt;{EN} (rss)&lt;/p&gt;</description></item>
<item><title>قصف</title><link>https://example.org/rss/2</link><pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate>
<description>{AR} (rss)</description></item></channel></rss>"""
ATOM = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
<entry><title>Atom strike</title><id>atom-1</id><link href="https://example.org/atom/1"/>
<updated>2024-03-07T08:00:00Z</updated><content type="html">&lt;p&gt;{EN} (atom)&lt;/p&gt;</content></entry></feed>"""


def write_corpus(root: Path) -> Path:
    """One file of every supported format (12 articles in all)."""
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text(f"---\ntitle: Front matter title\ndate: 5 March 2024\noutlet: Wire\n"
                                f"url: https://example.org/a\n---\n{EN} (a)\n", encoding="utf-8")
    (root / "b.md").write_text(f"# Markdown heading\n\n{EN} (b)\n", encoding="utf-8")
    (root / "c.html").write_text(HTML, encoding="utf-8")
    (root / "d.json").write_text(json.dumps([{"id": "j1", "text": f"{EN} (j1)", "date": "2024-03-01"},
                                             {"id": "j2", "text": f"{AR} (j2)", "outlet": "الجزيرة"}],
                                            ensure_ascii=False), encoding="utf-8")
    (root / "e.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"id": "l1", "title": "Line one", "text": f"{EN} (l1)", "date": "2024-03-02"},
        {"id": "l2", "text": f"{AR} (l2)", "date": "٣ آذار ٢٠٢٤"})) + "\n", encoding="utf-8")
    (root / "f.csv").write_text(f'id,title,text,date,outlet,url\nc1,CSV one,"{EN} (c1)",2024-03-03,Wire,\n',
                                encoding="utf-8")
    (root / "g.rss").write_text(RSS, encoding="utf-8")
    (root / "h.atom").write_text(ATOM, encoding="utf-8")
    (root / "sub" / "deeper" / "i.txt").write_text(f"{AR} (i)", encoding="utf-16")  # UTF-16 with BOM
    (root / "sub" / "notes.docx.tmp").write_bytes(b"\x00\x01")  # unsupported inside a directory: skipped
    return root


def articles(path: Path) -> dict[str, dict]:
    with db.reader(path) as con:
        df = db.export_articles(con)
    return {r["doc"]: r for r in df.astype(object).where(df.notna(), None).to_dict("records")}


def test_every_format_is_read_with_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    corpus = write_corpus(tmp_path / "corpus")
    report = ingest_paths([str(corpus)], path, workers=1, progress=False)
    assert report.rejections == [] and report.added == 12 and report.seen == 12
    got = articles(path)
    a = got[str(corpus / "a.txt")]
    assert (a["title"], a["published"], a["outlet"], a["url"]) == (
        "Front matter title", date(2024, 3, 5), "Wire", "https://example.org/a")
    assert a["text"] == f"{EN} (a)\n"
    assert got[str(corpus / "b.md")]["title"] == "Markdown heading"
    html = got[str(corpus / "c.html")]
    assert EN in html["text"] and "Copyright" not in html["text"] and "Home | World" not in html["text"]
    assert html["published"] == date(2024, 3, 4) and html["outlet"] == "Example News"
    assert got["j2"]["lang"] == "ar" and got["j2"]["outlet"] == "الجزيرة"
    assert got["l1"]["title"] == "Line one" and got["l1"]["published"] == date(2024, 3, 2)
    assert got["c1"]["published"] == date(2024, 3, 3) and got["c1"]["url"] is None
    assert got["rss-1"]["outlet"] == "Wire Feed" and got["rss-1"]["published"] == date(2024, 3, 5)
    assert got["https://example.org/rss/2"]["published"] == date(2024, 3, 6)
    assert got["atom-1"]["published"] == date(2024, 3, 7) and got["atom-1"]["url"] == "https://example.org/atom/1"
    assert got[str(corpus / "sub" / "deeper" / "i.txt")]["text"] == f"{AR} (i)"
    # the claims are exactly the extractor's, each article's count recorded with it
    expected = {doc: len(extract_claims(a["text"], doc=doc, published=a["published"])) for doc, a in got.items()}
    assert {doc: a["n_claims"] for doc, a in got.items()} == expected
    with db.reader(path) as con:
        assert db.counts(con)["claims"] == sum(expected.values())
        claims = db.export_claims(con)
    assert set(claims.doc) <= set(got) and (claims.extractor_version == EXTRACTOR_VERSION).all()


def test_globs_and_files_are_expanded(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    report = ingest_paths([str(corpus / "*.json*"), str(corpus / "**" / "*.txt")], tmp_path / "g.duckdb",
                          workers=1, progress=False)
    assert report.added == 2 + 2 + 2 and report.files == 4


def test_a_folders_readme_is_not_an_article(tmp_path: Path) -> None:
    from extract.store.readers import expand
    (tmp_path / "README.md").write_text("# About these articles\n5 people were killed.", encoding="utf-8")
    (tmp_path / "a.md").write_text("5 people were killed.", encoding="utf-8")
    files, rejected = expand([str(tmp_path)])
    assert files == [str(tmp_path / "a.md")] and not rejected
    assert expand([str(tmp_path / "README.md")])[0] == [str(tmp_path / "README.md")]  # named explicitly: read


def test_ingesting_again_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    corpus = write_corpus(tmp_path / "corpus")
    ingest_paths([str(corpus)], path, workers=1, progress=False)
    with db.reader(path) as con:
        before = db.digest(con)
    again = ingest_paths([str(corpus)], path, workers=1, progress=False)
    assert (again.added, again.duplicates, again.claims_added) == (0, 12, 0)
    with db.reader(path) as con:
        after = db.digest(con)
        runs = db.runs(con)
    assert after["articles"] == before["articles"] and after["claims"] == before["claims"]
    assert runs.run_id.tolist() == [2, 1] and runs.duplicates.tolist() == [12, 0] and runs.added.tolist() == [0, 12]
    assert runs.finished_at.notna().all()


def test_the_same_text_twice_is_one_article(tmp_path: Path) -> None:
    texts = [EN, "  " + EN.replace("Gaza", "GAZA").replace(" ", "\u00a0 ") + "\n", AR, AR.replace("قتل", "قُتل")]
    report = ingest_texts(texts, tmp_path / "t.duckdb")
    assert (report.added, report.duplicates) == (2, 2)


def test_reextract_replaces_claims_of_another_extractor_version(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    old = make_claim("old-doc", EN, 0, best=999, low=999, high=999, extractor_version="0.0-old")
    store_articles(path, [({"doc": "old-doc", "text": EN, "title": "Kept"}, [old])], version="0.0-old")
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")

    plain = ingest_paths([str(tmp_path / "a.txt")], path, workers=1, progress=False)
    assert (plain.added, plain.duplicates, plain.reextracted) == (0, 1, 0)
    with db.reader(path) as con:
        assert db.article(con, article_id(EN))["claims"].best.tolist() == [999]

    redo = ingest_paths([str(tmp_path / "a.txt")], path, workers=1, reextract=True, progress=False)
    assert (redo.added, redo.reextracted) == (0, 1)
    with db.reader(path) as con:
        a = db.article(con, article_id(EN))
        assert db.counts(con)["articles"] <= 1
    assert a["extractor_version"] == EXTRACTOR_VERSION and a["title"] == "Kept"
    assert 999 not in a["claims"].best.tolist()
    assert len(a["claims"]) == len(extract_claims(EN, doc="old-doc")) == a["n_claims"]

    same = ingest_paths([str(tmp_path / "a.txt")], path, workers=1, reextract=True, progress=False)
    assert (same.reextracted, same.duplicates) == (0, 1)  # already current: nothing to redo


def test_bad_input_is_reported_and_the_rest_lands(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    ingest_texts([AR], path)
    before = articles(path)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "good.txt").write_text(EN, encoding="utf-8")
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (bad / "nul.md").write_bytes(b"abc\x00\x01\x02def")
    (bad / "arabic-1256.txt").write_bytes(AR.encode("cp1256"))
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.md").write_text("  \n\n ", encoding="utf-8")
    (bad / "broken.json").write_text('[{"id": "x", "text": "unterminated', encoding="utf-8")
    (bad / "rows.jsonl").write_text('{"id": "r1", "text": "' + EN + ' (r1)"}\n{oops\n[1, 2]\n{"id": "r4"}\n',
                                    encoding="utf-8")
    (bad / "rows.csv").write_text(f'id,text\nk1,"{EN} (k1)"\nk2,"x",extra\nk3\n', encoding="utf-8")
    (bad / "notext.csv").write_text("id,body\n1,hello\n", encoding="utf-8")
    (bad / "front.md").write_text("---\ntitle: [unclosed\n---\nbody", encoding="utf-8")
    (bad / "dangling.txt").symlink_to(bad / "gone.txt")
    with open(bad / "huge.jsonl", "wb") as fh:  # a sparse 200 MB file: rejected without being read
        fh.truncate(200_000_000)
    t0 = time.perf_counter()
    report = ingest_paths([str(bad), str(tmp_path / "missing.txt")], path, workers=1, progress=False)
    assert time.perf_counter() - t0 < 30
    reasons = {r.origin.replace(str(bad) + os.sep, ""): r.reason for r in report.rejections}
    assert "binary" in reasons["image.txt"] and "PNG" in reasons["image.txt"]
    assert "binary" in reasons["nul.md"]
    assert "UTF-8" in reasons["arabic-1256.txt"]
    assert reasons["empty.txt"] == reasons["blank.md"] == "empty file"
    assert "malformed JSON" in reasons["broken.json"]
    assert "malformed JSON" in reasons["rows.jsonl:2"] and "not an object" in reasons["rows.jsonl:3"]
    assert reasons["rows.jsonl:4"] == "row has no text"
    assert "cells" in reasons["rows.csv:3"] and "cells" in reasons["rows.csv:4"]
    assert "no 'text' column" in reasons["notext.csv"]
    assert "front matter" in reasons["front.md"]
    assert "cannot read" in reasons["dangling.txt"]
    assert "200.0 MB" in reasons["huge.jsonl"] and "limit" in reasons["huge.jsonl"]
    assert reasons[str(tmp_path / "missing.txt")] == "no such file or directory"
    assert len(report.rejections) == 16
    assert report.added == 3  # good.txt, r1, k1
    after = articles(path)
    assert {k: after[k] for k in before} == before
    with db.reader(path) as con:
        run = db.runs(con).iloc[0]
    assert run.rejected == 16 and {r["reason"] for r in run.rejections} == set(reasons.values())


def test_a_bad_byte_costs_one_json_line_and_bom_csv_reads(tmp_path: Path) -> None:
    good = json.dumps({"id": "g1", "text": f"{EN} (g1)"}) + "\n"
    (tmp_path / "mixed.jsonl").write_bytes(good.encode() + b'{"id": "g2", "text": "caf\xe9"}\n' + good.replace(
        "g1", "g3").encode())
    (tmp_path / "bom.csv").write_bytes("\ufeffid,text\nb1,".encode() + f'"{AR} (b1)"\n'.encode())
    report = ingest_paths([str(tmp_path / "mixed.jsonl"), str(tmp_path / "bom.csv")], tmp_path / "t.duckdb",
                          workers=1, progress=False)
    assert report.added == 3  # g1 and g3 around the bad line, and b1
    assert [(r.origin, "UTF-8" in r.reason) for r in report.rejections] == [(f"{tmp_path / 'mixed.jsonl'}:2", True)]
    assert set(articles(tmp_path / "t.duckdb")) == {"g1", "g3", "b1"}


def test_parallel_workers_store_what_one_worker_stores(tmp_path: Path) -> None:
    corpus = synthetic.write_jsonl(tmp_path / "c.jsonl", 120)
    one = ingest_paths([str(corpus)], tmp_path / "one.duckdb", workers=1, progress=False, batch_size=50)
    two = ingest_paths([str(corpus)], tmp_path / "two.duckdb", workers=2, progress=False, batch_size=50)
    assert one.added == two.added == 120 and one.claims_added == two.claims_added
    with db.reader(tmp_path / "one.duckdb") as a, db.reader(tmp_path / "two.duckdb") as b:
        x, y = db.export_claims(a), db.export_claims(b)
        assert db.runs(b).iloc[0].added == 120
    assert x.shape == y.shape
    differing = [c for c in x.columns if x[c].astype(str).tolist() != y[c].astype(str).tolist()]
    assert differing == []


def test_progress_and_summary_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    corpus = synthetic.write_jsonl(tmp_path / "c.jsonl", 20)
    ingest_paths([str(corpus), str(tmp_path / "nope.txt")], tmp_path / "t.duckdb", workers=1, progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "docs/s" in err and "added 20" in err and "nope.txt: no such file or directory" in err


# ---------------------------------------------------------------- SIGKILL in the middle of a batch

def _state(path: Path) -> dict:
    with db.reader(path) as con:
        return {"digest": db.digest(con), "runs": db.runs(con)}


def _ingest_and_kill(corpus: Path, path: Path, trigger: str) -> int:
    """Run a real ingest in a subprocess and SIGKILL it once ``trigger`` happens; returns its exit status."""
    proc = subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(corpus), "--db", str(path),
                             "--batch-size", "1000000"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    writing = threading.Event()

    def watch() -> None:
        for line in proc.stderr:
            if "writing batch" in line:
                writing.set()
    threading.Thread(target=watch, daemon=True).start()
    size0 = path.stat().st_size
    wal = Path(f"{path}.wal")
    while proc.poll() is None:
        if writing.is_set() and ((trigger == "wal" and wal.exists() and wal.stat().st_size > 0) or
                                 (trigger == "grown" and path.stat().st_size != size0)):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.0005)
    return proc.wait()


def _kill_twice(corpus: Path, path: Path, before: dict) -> list[tuple[str, int, str]]:
    """Kill an ingest of ``corpus`` as its commit is being written, then as the checkpoint after it grows the file;
    asserts the store is each time openable and either exactly as ``before`` or holding the whole batch."""
    outcomes = []
    for trigger in ("wal", "grown"):
        status = _ingest_and_kill(corpus, path, trigger)
        state = _state(path)
        if state["digest"] == before["digest"]:
            outcomes.append((trigger, status, "before"))
            continue
        assert status == -signal.SIGKILL or status == 0
        (articles, _), (claims, _) = state["digest"]["articles"], state["digest"]["claims"]
        assert articles == before["digest"]["articles"][0] + 2500, (trigger, status)
        run = state["runs"].iloc[0]
        assert run.added == 2500 and run.claims_added == claims - before["digest"]["claims"][0] > 0
        outcomes.append((trigger, status, "whole batch"))
        break  # the batch landed: later kills have nothing left to interrupt
    return outcomes


def test_sigkill_mid_batch_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "t.duckdb"
    ingest_paths([str(synthetic.write_jsonl(tmp_path / "first.jsonl", 50))], path, workers=1, progress=False)
    corpus = synthetic.write_jsonl(tmp_path / "big.jsonl", 2500, first=50)
    before = _state(path)
    saved = tmp_path / "saved.duckdb"
    shutil.copy(path, saved)
    tries = []
    for _ in range(3):  # on a loaded machine the kill may land once the commit is whole: start again from the copy
        shutil.copy(saved, path)
        Path(f"{path}.wal").unlink(missing_ok=True)
        tries.append(_kill_twice(corpus, path, before))
        if tries[-1][0] == ("wal", -signal.SIGKILL, "before"):
            break
    assert tries[-1][0] == ("wal", -signal.SIGKILL, "before"), tries


def test_workers_set_what_they_imported_aside_from_the_cycle_collector() -> None:
    """pandas, pyarrow and numpy live as long as a worker: gc.freeze keeps full collections from walking them again
    and again during extraction (docs/eval-notes.md, section 1j)."""
    import gc

    from extract.store import ingest

    workers = ingest._Workers(1)
    try:
        frozen = workers.start().apply(gc.get_freeze_count)
    finally:
        workers.close()
    assert frozen > 10_000
