"""What the rules compile to, kept on disk between runs: their regexes and their literal clauses (and the dates'
explicit phrases' two regexes).

Python's ``re`` parses a pattern in Python code: the rules' 3 MB of patterns (each holds the whole number phrase)
take about 4 s to compile at every start of a process, and reading their literal clauses (required_literals.py)
takes most of a second more. Both are stored once per Python version and input, beside the rules in
``extract/lang/__pycache__/`` as Python keeps its ``.pyc`` files, and read back in about 0.15 s. A pattern compiled
from the store equals (``==``: same pattern, flags and code) the one ``re.compile`` gives. Anything unexpected
(another Python's internals, a damaged or missing file, a read-only directory) falls back to computing afresh.
"""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import sys
import tempfile
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _sre

CACHE_DIR = Path(__file__).parent / "lang" / "__pycache__"
KEEP = 12  # stores kept in the directory (the most recently used): two per language and rule set
_CODE = "I" if _sre.CODESIZE == 4 else "H"
_VERSION = [sys.version, str(_sre.MAGIC), str(_sre.CODESIZE)]


def compile_all(patterns: list[str], name: str) -> list[re.Pattern[str]]:
    """``re.compile`` of each pattern, read from the store ``name`` when it holds this pattern set."""
    def build() -> list:
        try:
            parts = [_parts(p) for p in patterns]
        except Exception:  # a Python whose re internals differ: plain compilation, nothing stored
            return [re.compile(p) for p in patterns]
        return [(flags, array(_CODE, code).tobytes(), groups, groupindex, indexgroup)
                for flags, code, groups, groupindex, indexgroup in parts]

    def use(stored: list) -> list[re.Pattern[str]]:
        if len(stored) != len(patterns):
            raise ValueError("a store of another pattern set")
        return [x if isinstance(x, re.Pattern) else _sre.compile(p, x[0], _ints(x[1]), *x[2:])
                for p, x in zip(patterns, stored)]

    return stored(name, patterns, build, use)


def stored(name: str, key: list[str], build: Callable[[], Any], use: Callable[[Any], Any] = lambda x: x) -> Any:
    """``use(build())``, with what ``build`` gives (plain data that ``marshal`` writes) kept in the store ``name``
    for this ``key`` (all the input it depends on, code included) and this Python; read back next time. When
    ``build`` gives something else (compiled patterns), it is used and not stored."""
    digest = hashlib.sha256("\0".join(_VERSION + key).encode()).hexdigest()[:20]
    path = CACHE_DIR / f"{name}-{digest}.sre"
    try:
        found = use(marshal.loads(zlib.decompress(path.read_bytes())))
        with contextlib.suppress(OSError):  # marks it used (the newest are kept); a read-only store still serves
            os.utime(path)
        return found
    except Exception:  # no store yet, or one this Python cannot read: build it, and store it
        pass
    data = build()
    try:
        blob = zlib.compress(marshal.dumps(data), 1)
    except ValueError:  # not plain data
        return use(data)
    _store(path, blob)
    return use(data)


def _ints(code: bytes) -> list[int]:
    a = array(_CODE)
    a.frombytes(code)
    return a.tolist()


def _parts(pattern: str) -> tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` after the pattern (flags 0)."""
    from re import _compiler, _parser

    p = _parser.parse(pattern, 0)
    indexgroup: list[str | None] = [None] * p.state.groups
    for k, i in p.state.groupdict.items():
        indexgroup[i] = k
    return p.state.flags, _compiler._code(p, 0), p.state.groups - 1, dict(p.state.groupdict), tuple(indexgroup)


def _store(path: Path, blob: bytes) -> None:
    """Write the store atomically (a process reading meanwhile sees the old file or the new one); keep the
    ``KEEP`` most recently used. A directory that cannot be written is left alone."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", suffix=".part", delete=False) as f:
            tmp = f.name
            f.write(blob)
        os.chmod(tmp, 0o644)  # as an ordinary file (a temporary one is private)
        os.replace(tmp, path)
        tmp = None
        old = sorted(path.parent.glob("*.sre"), key=lambda x: x.stat().st_mtime, reverse=True)[KEEP:]
        for x in old:
            x.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
