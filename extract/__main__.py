"""Command line: ``python -m extract [--jsonl] INPUT...`` | ``ingest PATH...`` | ``export`` | ``evaluate``.

See docs/cli.md for every option.
"""
from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
from datetime import date
from pathlib import Path

EXIT_INPUT = 1
"""Some input could not be read (the rest was processed)."""
EXIT_STORE = 2
"""The store could not be opened."""


def extract_parser() -> argparse.ArgumentParser:
    """The default mode: claims of files as JSON lines."""
    p = argparse.ArgumentParser(prog="python -m extract", description=(
        "Print the claims of each INPUT as JSON lines (one Claim.to_dict() per line) on stdout. "
        "Other commands: ingest, export, evaluate (python -m extract COMMAND --help)."))
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=".txt/.md file (doc = the path as given), or .jsonl/.csv/.json with id and text (doc = id)")
    p.add_argument("--jsonl", action="store_true", help="JSON lines on stdout (the default and only output format)")
    p.add_argument("--max-file-mb", type=float, default=None, metavar="MB",
                   help="reject input files larger than this (default 100)")
    return p


def ingest_parser() -> argparse.ArgumentParser:
    """``ingest``: files into the store."""
    p = argparse.ArgumentParser(prog="python -m extract ingest", description=(
        "Read articles from files, directories (recursed) and globs; extract their claims; store both."))
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--db", default=None, metavar="FILE", help="DuckDB file (default data/tally.duckdb)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="extraction processes (default: all cores)")
    p.add_argument("--batch-size", type=int, default=None, metavar="N",
                   help="articles per transaction (default 3000)")
    p.add_argument("--reextract", action="store_true",
                   help="re-extract stored articles whose claims came from another extractor version")
    p.add_argument("--max-file-mb", type=float, default=None, metavar="MB",
                   help="reject files larger than this (default 100)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr (the summary stays)")
    return p


def export_parser() -> argparse.ArgumentParser:
    """``export``: the store's claims, articles or tally as CSV or Parquet, with the dashboard's filters."""
    p = argparse.ArgumentParser(prog="python -m extract export", description=(
        "Write claims, articles or the tally, filtered like the dashboard, as CSV (UTF-8 with BOM) or Parquet."))
    p.add_argument("--db", default=None, metavar="FILE", help="DuckDB file (default data/tally.duckdb)")
    p.add_argument("--what", choices=("claims", "articles", "tally"), default="claims")
    p.add_argument("--format", choices=("csv", "parquet"), default=None,
                   help="default: from the --out extension, else csv")
    p.add_argument("--out", required=True, metavar="FILE", help="output file ('-' for stdout)")
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="claims on or after this day (event date, else publication date)")
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="claims on or before this day")
    for flag, dest, what in (("--country", "countries", "country"), ("--place", "places", "place"),
                             ("--category", "categories", "category"), ("--asset", "assets", "asset"),
                             ("--party", "parties", "victims' party"), ("--victim-type", "victim_types", "victim type"),
                             ("--claimant", "claimants", "claimant"), ("--claimant-type", "claimant_types",
                                                                        "claimant type"),
                             ("--lang", "langs", "language (ar, en)"), ("--scope", "scopes", "scope")):
        p.add_argument(flag, dest=dest, action="append", default=[], metavar="VALUE",
                       help=f"only this {what} (repeat for several)")
    p.add_argument("--exact-only", action="store_true", help="only figures the text gives exactly")
    p.add_argument("--min-confidence", type=float, default=None, metavar="X", help="only claims with confidence >= X")
    return p


PARSERS = {"extract": extract_parser, "ingest": ingest_parser, "export": export_parser}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["evaluate"]:
        sys.argv = ["python -m extract.evaluate", *argv[1:]]
        runpy.run_module("extract.evaluate", run_name="__main__")
        return 0
    if argv[:1] == ["ingest"]:
        return _ingest(ingest_parser().parse_args(argv[1:]))
    if argv[:1] == ["export"]:
        return _export(export_parser().parse_args(argv[1:]))
    return _extract(extract_parser().parse_args(argv))


def _extract(args: argparse.Namespace) -> int:
    from extract import extract_claims
    from extract.store.readers import MAX_FILE_MB, Rejection, read_file

    status = 0
    out = sys.stdout
    for path in args.inputs:
        for item in read_file(path, args.max_file_mb or MAX_FILE_MB):
            if isinstance(item, Rejection):
                print(f"extract: {item.origin}: {item.reason}", file=sys.stderr)
                status = EXIT_INPUT
                continue
            try:
                claims = extract_claims(item["text"], doc=item["doc"], published=item["published"])
            except Exception as e:  # report, go on with the other inputs
                print(f"extract: {item['origin']}: extractor failed: {type(e).__name__}: {e}", file=sys.stderr)
                status = EXIT_INPUT
                continue
            for c in claims:
                out.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    out.flush()
    return status


def _ingest(args: argparse.Namespace) -> int:
    from extract.store import db
    from extract.store.ingest import BATCH, ingest_paths
    from extract.store.readers import MAX_FILE_MB

    try:
        report = ingest_paths(args.paths, args.db or db.DEFAULT_DB, workers=args.workers, reextract=args.reextract,
                              progress=not args.no_progress, batch_size=args.batch_size or BATCH,
                              max_file_mb=args.max_file_mb or MAX_FILE_MB)
    except db.StoreError as e:
        print(f"ingest: {e}", file=sys.stderr)
        return EXIT_STORE
    if args.no_progress:
        print(report.summary(), file=sys.stderr)
    return EXIT_INPUT if report.rejections else 0


def _export(args: argparse.Namespace) -> int:
    from extract.store import db, export

    fmt = args.format or ("parquet" if Path(args.out).suffix.lower() == ".parquet" else "csv")
    filters = db.Filters(**{k: getattr(args, k) for k in (
        "date_from", "date_to", "countries", "places", "categories", "assets", "parties", "victim_types",
        "claimants", "claimant_types", "langs", "scopes", "exact_only", "min_confidence")})
    try:
        with db.reader(args.db or db.DEFAULT_DB) as con:
            df = export.query(con, args.what, filters)
    except db.StoreError as e:
        print(f"export: {e}", file=sys.stderr)
        return EXIT_STORE
    data = export.to_bytes(df, fmt)
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        tmp = f"{args.out}.tmp{os.getpid()}"
        Path(tmp).write_bytes(data)
        os.replace(tmp, args.out)
    print(f"export: {len(df)} {args.what} rows ({fmt}) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
