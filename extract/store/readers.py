"""Files → article dicts. Problems are values (:class:`Rejection`), never exceptions that escape.

An article is a dict with doc, title, text, lang, published (date | None), outlet, url, origin. ``doc`` is what
claims carry: a file's path as given, or a row's ``id``. Text is kept exactly as decoded (offsets of claims
index it), only a byte-order mark and a front-matter block are taken off.
"""
from __future__ import annotations

import csv
import glob
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from extract.dates import parse_date
from extract.text import detect_lang

MAX_FILE_MB = 100
TEXT_EXT = {".txt", ".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
FEED_EXT = {".xml", ".rss", ".atom"}
TABLE_EXT = {".json", ".jsonl", ".ndjson", ".csv"}
SUPPORTED = TEXT_EXT | HTML_EXT | FEED_EXT | TABLE_EXT
FIELDS = ("id", "title", "text", "date", "outlet", "url")
_MAGIC = {b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive or Office document", b"\x89PNG": "a PNG image",
          b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
          b"\x7fELF": "an executable", b"SQLite format 3": "an SQLite database"}


@dataclass(frozen=True)
class Rejection:
    """Input that was not read: where (file, or file#row / file:line) and why."""

    origin: str
    reason: str


Article = dict[str, Any]


def expand(paths: Iterable[str]) -> tuple[list[str], list[Rejection]]:
    """Files named by ``paths``: files as given, directories recursed (hidden entries and a folder's README
    skipped), globs expanded. Unsupported extensions inside directories are skipped silently; named
    explicitly, they are rejected."""
    files: list[str] = []
    rejected: list[Rejection] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files += [os.path.join(root, n) for n in sorted(names)
                          if not n.startswith(".") and not n.lower().startswith("readme")
                          and Path(n).suffix.lower() in SUPPORTED]
        elif os.path.lexists(p):
            files.append(p)
        elif glob.has_magic(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                rejected.append(Rejection(p, "no file matches this pattern"))
            sub, rej = expand(matches)
            files += sub
            rejected += rej
        else:
            rejected.append(Rejection(p, "no such file or directory"))
    return files, rejected


def read_file(path: str, max_mb: float = MAX_FILE_MB) -> Iterator[Article | Rejection]:
    """The articles of one file, and a Rejection for the file or for each bad row. JSON lines and CSV are
    streamed (memory stays flat however long the file); other files are read whole."""
    ext = Path(path).suffix.lower()
    try:
        size = os.path.getsize(path)
        if ext not in SUPPORTED:
            yield Rejection(path, f"unsupported file type {ext or '(no extension)'}; "
                                  f"use one of {' '.join(sorted(SUPPORTED))}")
            return
        if size > max_mb * 1_000_000:
            yield Rejection(path, f"file is {size / 1e6:.1f} MB, over the {max_mb:g} MB limit; split it")
            return
        with open(path, "rb") as fh:
            codec = sniff(fh.read(8192))
            fh.seek(0)
            if isinstance(codec, Rejection):
                yield Rejection(path, codec.reason)
            elif ext in (".jsonl", ".ndjson", ".csv"):
                yield from _stream_rows(path, ext, fh, codec)
            else:
                yield from _whole_file(path, ext, fh.read(), codec)
    except OSError as e:
        yield Rejection(path, f"cannot read: {e.strerror or e}")


def sniff(head: bytes) -> str | Rejection:
    """The codec of a file from its first bytes: utf-8-sig / utf-16 by BOM, else utf-8; a Rejection for a
    binary file."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return Rejection("", f"binary file ({what}); convert it to text first")
    if b"\x00" in head:
        return Rejection("", "binary file (contains NUL bytes)")
    return "utf-8"


def _undecodable(codec: str, where: str) -> str:
    return f"not valid {codec.upper().replace('-SIG', '')} text ({where}); save the file as UTF-8"


def _whole_file(path: str, ext: str, data: bytes, codec: str) -> Iterator[Article | Rejection]:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        yield Rejection(path, _undecodable(codec, f"byte 0x{data[e.start]:02x} at offset {e.start}"))
        return
    if not text.strip():
        yield Rejection(path, "empty file")
    elif ext in TEXT_EXT:
        yield from _text_file(path, text)
    elif ext in HTML_EXT:
        yield from _html_file(path, text)
    elif ext in FEED_EXT:
        yield from _feed_file(path, data)
    else:
        yield from _json_file(path, text)


def _stream_rows(path: str, ext: str, fh: BinaryIO, codec: str) -> Iterator[Article | Rejection]:
    if ext != ".csv" and codec != "utf-16":  # UTF-8 lines decoded one by one: a bad byte costs one row
        rows = _jsonl_rows(path, _utf8_lines(path, fh))
    else:
        text = io.TextIOWrapper(fh, encoding=codec, newline="")
        rows = _csv_rows(path, text) if ext == ".csv" else _jsonl_rows(path, text)
    n = 0
    try:
        for n, item in enumerate(rows, 1):
            yield item
    except UnicodeDecodeError as e:
        yield Rejection(path, _undecodable(codec, f"byte 0x{e.object[e.start]:02x} after item {n}"))
        return
    if n == 0:
        yield Rejection(path, "empty file")


def _utf8_lines(path: str, fh: BinaryIO) -> Iterator[str | Rejection]:
    for n, raw in enumerate(fh, 1):
        try:
            yield raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            yield Rejection(f"{path}:{n}", _undecodable("utf-8", f"byte 0x{raw[e.start]:02x} at column {e.start + 1}"))


def article(doc: str, text: str, origin: str, title: Any = None, published: Any = None, outlet: Any = None,
            url: Any = None, lang: Any = None) -> Article:
    """An article dict with the publication date parsed and the language detected where not given."""
    return {"doc": doc, "title": _str(title), "text": text, "lang": lang if lang in ("ar", "en") else detect_lang(text),
            "published": parse_date(published), "outlet": _str(outlet), "url": _str(url), "origin": origin}


def _str(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return None


def _text_file(path: str, text: str) -> Iterator[Article | Rejection]:
    meta: dict[str, Any] = {}
    first = text.split("\n", 1)[0].rstrip("\r")
    if first == "---":
        lines = text.split("\n")
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r") in ("---", "...")), None)
        if close is None:
            yield Rejection(path, "front matter opened with --- is never closed")
            return
        try:
            meta = yaml.safe_load("\n".join(lines[1:close])) or {}
        except yaml.YAMLError as e:
            yield Rejection(path, f"malformed front matter: {str(e).splitlines()[0]}")
            return
        if not isinstance(meta, dict):
            yield Rejection(path, "front matter must be key: value lines")
            return
        text = "\n".join(lines[close + 1:])
        if not text.strip():
            yield Rejection(path, "no text after the front matter")
            return
    yield article(path, text, path, title=meta.get("title") or _first_line(text), published=meta.get("date"),
                  outlet=meta.get("outlet"), url=meta.get("url"), lang=meta.get("lang"))


def _html_file(path: str, html: str) -> Iterator[Article | Rejection]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        yield Rejection(path, "no main text found in the HTML")
        return
    yield article(path, doc.text, path, title=doc.title, published=doc.date, outlet=doc.sitename or doc.hostname,
                  url=doc.url, lang=doc.language)


def _feed_file(path: str, data: bytes) -> Iterator[Article | Rejection]:
    import feedparser
    import lxml.html

    feed = feedparser.parse(data)
    if not feed.entries:
        why = f": {feed.bozo_exception}" if feed.bozo else ""
        yield Rejection(path, f"not an RSS/Atom feed, or a feed without entries{why}")
        return
    outlet = feed.feed.get("title")
    for n, e in enumerate(feed.entries, 1):
        origin = f"{path}#{n}"
        html = (e.get("content") or [{}])[0].get("value") or e.get("summary") or ""
        text = lxml.html.fromstring(html).text_content().strip() if html.strip() else ""
        if not text:
            yield Rejection(origin, "feed entry has no text")
            continue
        stamp = e.get("published_parsed") or e.get("updated_parsed")
        published = date(*stamp[:3]) if stamp else e.get("published") or e.get("updated")
        yield article(str(e.get("id") or e.get("link") or origin), text, origin, title=e.get("title"),
                      published=published, outlet=outlet, url=e.get("link"))


def _row(path: str, n: int, row: Any, origin: str) -> Article | Rejection:
    if not isinstance(row, dict):
        return Rejection(origin, f"row is a {type(row).__name__}, not an object with {', '.join(FIELDS)}")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejection(origin, "row has no text")
    doc = row.get("id")
    return article(str(doc) if doc not in (None, "") else origin, text, origin, title=row.get("title"),
                   published=row.get("date") or row.get("published"), outlet=row.get("outlet"), url=row.get("url"),
                   lang=row.get("lang"))


def _json_file(path: str, text: str) -> Iterator[Article | Rejection]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        yield Rejection(path, f"malformed JSON: {e}")
        return
    rows = data if isinstance(data, list) else [data]
    for n, row in enumerate(rows, 1):
        yield _row(path, n, row, f"{path}#{n}")


def _jsonl_rows(path: str, lines: Iterable[str | Rejection]) -> Iterator[Article | Rejection]:
    for n, line in enumerate(lines, 1):
        if isinstance(line, Rejection):
            yield line
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield Rejection(f"{path}:{n}", f"malformed JSON line: {e.msg} at column {e.colno}")
            continue
        yield _row(path, n, row, f"{path}:{n}")


def _csv_rows(path: str, fh: io.TextIOWrapper) -> Iterator[Article | Rejection]:
    csv.field_size_limit(MAX_FILE_MB * 1_000_000)
    reader = csv.DictReader(fh)
    if reader.fieldnames is None:
        return
    if "text" not in reader.fieldnames:
        yield Rejection(path, f"CSV has no 'text' column (columns: {', '.join(reader.fieldnames)})")
        return
    try:
        for row in reader:
            origin = f"{path}:{reader.line_num}"
            if None in row or None in row.values():
                cells = sum(v is not None for k, v in row.items() if k is not None) + len(row.get(None, []))
                yield Rejection(origin, f"row has {cells} cells, the header {len(reader.fieldnames)}")
                continue
            yield _row(path, reader.line_num, row, origin)
    except csv.Error as e:
        yield Rejection(f"{path}:{reader.line_num}", f"malformed CSV: {e}")
