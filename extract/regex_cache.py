"""The rules' compiled regexes, kept on disk between runs.

Python's ``re`` parses a pattern in Python code: the rules' 3 MB of patterns (each holds the whole number phrase)
take about 4 s to compile at every start of a process. Their compiled form (the code ``re`` hands to its C engine)
is stored once per Python version and pattern set, beside the rules in ``extract/lang/__pycache__/`` as Python keeps
its ``.pyc`` files, and is read back in about 0.15 s. A pattern compiled from the store equals (``==``: same pattern,
flags and code) the one ``re.compile`` gives. Anything unexpected (another Python's internals, a damaged or missing
file, a read-only directory) falls back to ``re.compile``.
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
from pathlib import Path

import _sre

CACHE_DIR = Path(__file__).parent / "lang" / "__pycache__"
KEEP = 8  # stores kept in the directory (the most recently used): one per language and rule set
_CODE = "I" if _sre.CODESIZE == 4 else "H"


def compile_all(patterns: list[str], name: str) -> list[re.Pattern[str]]:
    """``re.compile`` of each pattern, read from the store ``name`` when it holds this pattern set."""
    version = [sys.version, str(_sre.MAGIC), str(_sre.CODESIZE)]
    key = hashlib.sha256("\0".join(version + patterns).encode()).hexdigest()[:20]
    path = CACHE_DIR / f"{name}-{key}.sre"
    try:
        stored = marshal.loads(zlib.decompress(path.read_bytes()))
        compiled = [_sre.compile(p, flags, _ints(code), groups, groupindex, indexgroup)
                    for p, (flags, code, groups, groupindex, indexgroup) in zip(patterns, stored, strict=True)]
        with contextlib.suppress(OSError):  # marks it used (the newest are kept); a read-only store still serves
            os.utime(path)
        return compiled
    except Exception:  # no store yet, or one this Python cannot read: compile, and store what it gives
        pass
    try:
        parts = [_parts(p) for p in patterns]
    except Exception:  # a Python whose re internals differ: plain compilation, nothing stored
        return [re.compile(p) for p in patterns]
    _store(path, [(flags, array(_CODE, code).tobytes(), groups, groupindex, indexgroup)
                  for flags, code, groups, groupindex, indexgroup in parts])
    return [_sre.compile(p, *x) for p, x in zip(patterns, parts)]


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


def _store(path: Path, stored: list) -> None:
    """Write the store atomically (a process reading meanwhile sees the old file or the new one); keep the
    ``KEEP`` most recently used. A directory that cannot be written is left alone."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", suffix=".part", delete=False) as f:
            tmp = f.name
            f.write(zlib.compress(marshal.dumps(stored), 1))
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
