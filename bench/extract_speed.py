"""Extraction speed on one core: ``python bench/extract_speed.py``.

Prints characters/s and documents/s over a synthetic bilingual corpus (generated here, streamed, at least
5 million characters), peak RSS for 1 M vs 5 M characters (each in a fresh process: memory must stay flat
as the corpus grows), the time for 1 M characters of adversarial text, a fresh process's start-up time, and,
when ../shared is present, the speed over the research corpus files read at run time (after a warm-up, on one
core, as the synthetic runs). Floors on the synthetic corpus: >= 1 MB/s of UTF-8 text (the issue's), and the
stricter >= 1,000,000 characters/s (an Arabic letter is two bytes in UTF-8, so the same text counts fewer
characters than bytes), each with its status; adversarial text <= 2 s.
"""
from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLOOR_MB_PER_S = 1.0  # the floor: MB (10**6 bytes) of UTF-8 text a second
FLOOR_CHARS_PER_S = 1_000_000  # the stricter reading, in characters
FLOOR_ADVERSARIAL_S = 2.0
ADVERSARIAL_TIMEOUT_S = 120.0  # the adversarial run is stopped after this, and reported as such
UNIT_TIMEOUT_S = 20.0

# --- synthetic bilingual corpus ----------------------------------------------------------------------

EN_VICTIMS = ["people", "civilians", "soldiers", "fighters", "children", "police officers", "militants",
              "women", "members of the security forces", "Islamic State fighters", "rebels", "students"]
EN_PLACES = ["Aleppo", "Mosul", "Gaza City", "Idlib", "the northern province", "a village near Raqqa", "Sanaa",
             "Tripoli", "the city centre", "Deir ez-Zor", "Kandahar", "a market in Baghdad"]
EN_CLAIMANTS = ["officials said", "the health ministry said", "police said", "according to local sources",
                "the Syrian Observatory for Human Rights said", "a military spokesman said", "witnesses said",
                "state media reported", "the group said in a statement", "medics said"]
EN_EVENTS = ["an airstrike", "a car bomb", "shelling", "clashes", "a suicide attack", "a drone strike",
             "a shooting", "a roadside bomb", "an ambush", "heavy fighting"]
EN_TEMPLATES = [
    "{N} {V} were killed in {E} in {P}, {C}.",
    "At least {N} {V} were killed and {M} others wounded when {E} hit {P}.",
    "More than {N} {V} have died in {P} since the start of the offensive, {C}.",
    "{E} in {P} killed {W} {V} and injured {M}, {C}.",
    "About {N} {V} were wounded in {E}.",
    "Dozens of {V} were killed in {E} near {P}.",
    "Hundreds of {V} were injured, {C}.",
    "No one was hurt in {E}, {C}.",
    "Gunmen abducted {N} {V} near {P}.",
    "{N} tanks and {M} armoured vehicles were destroyed, {C}.",
    "The death toll from {E} rose to {N}, including {W} children.",
    "Between {N} and {M} {V} were reported missing after {E}.",
    "Up to {N} {V} may have been killed, {C}.",
    "A commander was killed in {E} in {P}.",
]
EN_DISTRACTORS = [
    "The {N}th brigade moved {M} km north of {P}.", "Prices rose {N}% in {Y}.", "Call 555-01{M} for details.",
    "The convoy used Route {N} on {D} March {Y}.", "He was {N} years old.", "The meeting started at 10:{M}.",
    "The council has {N} members and {M} observers.", "Inspectors visited {N} buildings in {P}.",
    "The UN resolution {Y}/{N} was adopted by {M} votes.",
]
EN_FILLER = [
    "Talks resumed on Tuesday after a week of delays.", "The ministry did not respond to a request for comment.",
    "Aid agencies have warned of shortages of food and fuel.", "The region has seen sporadic violence for years.",
    "Residents said the situation remained tense.", "Reporters were not allowed to enter the area.",
    "The statement could not be independently verified.", "Schools reopened in parts of the city.",
]
EN_WORDS = ["two", "three", "four", "five", "seven", "ten", "twelve", "fifteen", "twenty"]

AR_VICTIMS = ["مدنيين", "أشخاص", "عناصر من قوات النظام", "مقاتلين", "أطفال", "جنود", "عناصر من تنظيم الدولة",
              "نساء", "من رجال الشرطة", "مسلحين"]
AR_PLACES = ["حلب", "الموصل", "مدينة غزة", "إدلب", "ريف دير الزور", "قرية شمال الرقة", "صنعاء", "طرابلس",
             "سوق شعبي في بغداد", "درعا"]
AR_CLAIMANTS = ["مصادر محلية", "المرصد السوري لحقوق الإنسان", "وزارة الصحة", "مصادر طبية", "ناشطون",
                "وكالة الأنباء الرسمية", "الدفاع المدني", "مصادر للجزيرة", "مسؤول محلي", "شهود عيان"]
AR_EVENTS = ["غارة جوية", "قصف مدفعي", "انفجار سيارة مفخخة", "اشتباكات عنيفة", "هجوم انتحاري", "غارة بطائرة مسيرة",
             "كمين", "عبوة ناسفة"]
AR_TEMPLATES = [
    "قتل {N} {V} في {E} على {P}، بحسب {C}.",
    "أفادت {C} بمقتل {N} {V} وإصابة {M} آخرين في {E} استهدف {P}.",
    "قالت {C} إن أكثر من {N} {V} قتلوا في {P}.",
    "أسفر {E} عن سقوط عشرات القتلى والجرحى في {P}.",
    "لقي {W} {V} مصرعهم في {E}.",
    "لم يسفر {E} عن إصابات، وفق {C}.",
    "ارتفعت حصيلة القتلى منذ بدء الحملة إلى {N} قتيلا، بينهم {W} أطفال.",
    "أصيب نحو {N} {V} بجروح في {E}.",
    "اختطف مسلحون {N} {V} قرب {P}.",
    "دمرت {N} دبابات و{M} آليات خلال {E}.",
    "سقط {N} {V} بين قتيل وجريح جراء {E}.",
    "قتل ما لا يقل عن {N} {V} في {P}.",
    "قتل قائد ميداني مع أحد مرافقيه في {E}.",
]
AR_DISTRACTORS = [
    "وصل اللواء {N} إلى {P} يوم {D} آذار {Y}.", "ارتفعت الأسعار بنسبة {N}% خلال عام {Y}.",
    "عقد الاجتماع عند الساعة {D}:{M}.", "يبلغ عدد أعضاء المجلس {N} عضوا.", "قطع الموكب مسافة {M} كيلومترا.",
    "صدر القرار رقم {N} لسنة {Y}.", "يبلغ من العمر {N} عاما.",
]
AR_FILLER = [
    "وتستمر المفاوضات بين الأطراف في العاصمة.", "ولم يصدر أي تعليق رسمي حتى الآن.",
    "وتشهد المنطقة توترا أمنيا منذ أشهر.", "وحذرت منظمات الإغاثة من نقص الغذاء والوقود.",
    "ولم يتسن التحقق من هذه المعلومات بشكل مستقل.", "وأعيد فتح المدارس في بعض أحياء المدينة.",
]
AR_WORDS = ["ثلاثة", "أربعة", "خمسة", "سبعة", "عشرة", "اثنا عشر", "خمسة عشر", "عشرين", "ثلاثين"]
_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _sentence(rng: random.Random, lang: str) -> str:
    kind = rng.random()
    if lang == "en":
        pool = EN_TEMPLATES if kind < 0.45 else EN_DISTRACTORS if kind < 0.7 else EN_FILLER
        fill = {"V": rng.choice(EN_VICTIMS), "P": rng.choice(EN_PLACES), "C": rng.choice(EN_CLAIMANTS),
                "E": rng.choice(EN_EVENTS), "W": rng.choice(EN_WORDS)}
    else:
        pool = AR_TEMPLATES if kind < 0.45 else AR_DISTRACTORS if kind < 0.7 else AR_FILLER
        fill = {"V": rng.choice(AR_VICTIMS), "P": rng.choice(AR_PLACES), "C": rng.choice(AR_CLAIMANTS),
                "E": rng.choice(AR_EVENTS), "W": rng.choice(AR_WORDS)}
    n = rng.choice([rng.randint(2, 15), rng.randint(16, 120), rng.randint(100, 2500)])
    fill |= {"N": f"{n:,}" if n >= 1000 and lang == "en" else str(n), "M": str(rng.randint(1, 60)),
             "Y": str(rng.randint(1990, 2025)), "D": str(rng.randint(1, 28))}
    s = rng.choice(pool).format(**fill)
    return s.translate(_AR_DIGITS) if lang == "ar" and rng.random() < 0.25 else s


def synthetic_documents(total_chars: int, seed: int = 20241125) -> Iterator[str]:
    """Stream bilingual news-like documents (title + paragraphs) until ``total_chars`` characters are given."""
    rng = random.Random(seed)
    given = 0
    while given < total_chars:
        lang = "ar" if rng.random() < 0.55 else "en"
        paras = []
        for _ in range(rng.randint(2, 8)):
            paras.append(" ".join(_sentence(rng, lang) for _ in range(rng.randint(2, 6))))
        title = _sentence(rng, lang).rstrip(".")
        doc = title + "\n\n" + "\n\n".join(paras)
        if rng.random() < 0.05:  # an English quote inside an Arabic text, or the reverse
            doc += "\n\n" + _sentence(rng, "en" if lang == "ar" else "ar")
        given += len(doc)
        yield doc


# --- adversarial text --------------------------------------------------------------------------------

ADVERSARIAL_UNITS: dict[str, str] = {
    "ascii digit run": "7" * 997,
    "arabic-indic digit run": "٣" * 997,
    "thousands separators": "1,000," * 200,
    "english keywords": "killed wounded injured dead casualties killing deaths ",
    "arabic keywords": "قتلى قتيل مقتل جرحى مصابين شهداء إصابة ضحايا أسرى مفقودين ",
    "no spaces en": "5killed3injured12dead",
    "no spaces ar": "قتل5جرحى3مقتل٧شهيدا",
    "repeated qualifiers en": "more than " * 60 + "at least about nearly up to " * 20 + "5 soldiers were killed ",
    "repeated qualifiers ar": "أكثر من " * 60 + "ما لا يقل عن نحو حوالي قرابة " * 20 + "خمسة قتلى ",
    "long arabic word": "قتلتتتتتتتت" * 400 + " ",
    "definite-article run": "ال" * 500 + "قتلى ",
    "number words en": "twenty-one hundred thousand and " * 30 + "killed ",
    "number words ar": "ثلاثة آلاف ومئتين و" * 30 + "قتيل ",
    "ranges": "between 1 and 2 and 3 and 4 and " * 25 + "killed 1-2-3-4-5-6-7-8-9 " * 10,
    "many figures in one sentence": "".join(f"{i} killed, {i} injured, " for i in range(1, 80)),
    "punctuation storm": "((((«»\"'!?.,;:؟؛،-–—" * 40,
    "white space runs": " " * 500 + "\n" * 200 + "\t" * 100,
    "vague words": "dozens of hundreds of thousands of " * 30 + "عشرات مئات آلاف " * 30 + "people killed ",
}


def adversarial_text(size: int = 1_000_000) -> str:
    """``size`` characters of text built to trip up regexes (each unit repeated, units separated by new lines)."""
    per_unit = size // len(ADVERSARIAL_UNITS)
    parts = []
    for unit in ADVERSARIAL_UNITS.values():
        parts.append((unit * (per_unit // len(unit) + 1))[:per_unit - 1])
    text = "\n".join(parts)
    return (text + "\n" + "x" * size)[:size]


# --- measurements ------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def measure(docs: Iterator[str]) -> dict[str, float]:
    """Extract every document of a stream; characters, documents, claims, seconds and the machine's load
    average when done (the machine may be shared: chars_per_cpu_s is the figure to compare then). The seconds are
    those spent inside ``extract_claims``: making or reading the documents (6% of the synthetic run) is not counted;
    the cycle collector's passes are, wherever they run (extraction pauses the collector, so the pass its
    allocations make due may run just after it returns)."""
    from extract import extract_claims

    chars = utf8_bytes = n = claims = 0
    seconds = cpu_seconds = 0.0
    clock, cpu = time.perf_counter, time.process_time
    passes = [0.0, 0.0]  # seconds and CPU seconds of the collector's passes run between extractions
    inside, began = False, (0.0, 0.0)

    def on_pass(phase: str, _info: dict) -> None:
        nonlocal began
        if inside:
            return
        if phase == "start":
            began = (clock(), cpu())
        else:
            passes[0] += clock() - began[0]
            passes[1] += cpu() - began[1]

    gc.callbacks.append(on_pass)
    try:
        for i, text in enumerate(docs):
            doc = f"d{i}"
            inside = True
            t0, c0 = clock(), cpu()
            claims += len(extract_claims(text, doc=doc))
            seconds += clock() - t0
            cpu_seconds += cpu() - c0
            inside = False
            chars += len(text)
            utf8_bytes += len(text.encode())
            n += 1
    finally:
        gc.callbacks.remove(on_pass)
    return {"chars": chars, "utf8_bytes": utf8_bytes, "docs": n, "claims": claims, "seconds": seconds + passes[0],
            "cpu_seconds": cpu_seconds + passes[1], "load_1m": os.getloadavg()[0]}


def research_documents(shared: Path) -> Iterator[str]:
    """Stream the texts of the research corpus files (read at run time, never stored in the project)."""
    corpus = shared / "research/corpus"
    csv.field_size_limit(sys.maxsize)
    for path in sorted(corpus.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                yield (row.get("title", "") + "\n\n" + row["text"]).strip()
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    yield ((d.get("title") or "") + "\n\n" + (d.get("text") or "")).strip()


def _probe(million_chars: float) -> None:
    """Child process: stream N million synthetic characters, print one JSON line with figures and peak RSS."""
    _one_core()
    from extract import extract_claims

    extract_claims("warm-up: 3 people were killed. قتل ثلاثة أشخاص.")
    before = _peak_rss_mb()
    r = measure(synthetic_documents(int(million_chars * 1_000_000)))
    print(json.dumps(r | {"rss_after_import_mb": before, "peak_rss_mb": _peak_rss_mb()}))


def _research_probe(shared: Path) -> None:
    """Child process: the research corpus on one core after a warm-up (as the synthetic runs), one JSON line."""
    _one_core()
    from extract import extract_claims

    extract_claims("warm-up: 3 people were killed. قتل ثلاثة أشخاص.")
    print(json.dumps(measure(research_documents(shared))))


def _startup() -> None:
    """Child process: seconds to import the extractor and run its first (tiny) extraction, which loads the
    languages' data and compiles their rules (read back from extract/regex_cache.py's store when it holds them)."""
    t0 = time.perf_counter()
    from extract import extract_claims

    extract_claims("warm-up: 3 people were killed. قتل ثلاثة أشخاص.")
    print(json.dumps({"seconds": time.perf_counter() - t0}))


def _timed(text: str) -> None:
    """Child process: time one extraction of ``text`` on one core, print one JSON line."""
    _one_core()
    from extract import extract_claims

    extract_claims("warm-up: 3 people were killed. قتل ثلاثة أشخاص.")
    print("ready", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    claims = extract_claims(text, doc="adversarial")
    print(json.dumps({"chars": len(text), "claims": len(claims), "seconds": time.perf_counter() - t0,
                      "cpu_seconds": time.process_time() - c0}))


def _run_child(args: list[str], timeout: float | None = None) -> dict[str, float] | None:
    """Run this script with ``args`` in a fresh process and return its last JSON line.

    With ``timeout``: the child prints "ready" once the extractor is loaded; None when it is still extracting
    ``timeout`` seconds later (it is then stopped).
    """
    with subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        if timeout is not None:
            while (line := proc.stdout.readline()) and line.strip() != "ready":
                pass
        try:
            # wait, then read: communicate() after readline() would miss what readline() already buffered (a
            # child as quick as "white space runs" prints its result with "ready", and the result was lost)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return None
        out = proc.stdout.read()
    if proc.returncode:
        raise RuntimeError(f"bench child {args} failed with exit code {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def _line(name: str, r: dict[str, float]) -> str:
    s = r["seconds"] or 1e-9
    cpu = r["cpu_seconds"] or 1e-9
    return (f"{name} chars={r['chars']} docs={r['docs']} claims={r['claims']} seconds={s:.2f} cpu_seconds={cpu:.2f} "
            f"chars_per_s={r['chars'] / s:.0f} docs_per_s={r['docs'] / s:.1f} chars_per_cpu_s={r['chars'] / cpu:.0f}"
            f" utf8_mb_per_s={r['utf8_bytes'] / s / 1e6:.3f} load_1m={r['load_1m']:.2f}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mb", type=float, default=5.0, help="million characters of synthetic text for the main run (>= 5)")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="shared dir with research/corpus/")
    p.add_argument("--no-research", action="store_true", help="skip the research corpus measurement")
    p.add_argument("--probe", type=float, help=argparse.SUPPRESS)
    p.add_argument("--adversarial", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--unit", help=argparse.SUPPRESS)
    p.add_argument("--research-probe", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--startup", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.probe is not None:
        _probe(args.probe)
        return 0
    if args.research_probe:
        _research_probe(args.shared)
        return 0
    if args.startup:
        _startup()
        return 0
    if args.adversarial or args.unit:
        unit = ADVERSARIAL_UNITS.get(args.unit or "")
        _timed(adversarial_text() if unit is None else (unit * (100_000 // len(unit) + 1))[:100_000])
        return 0

    small, big = _run_child(["--probe", "1"]), _run_child(["--probe", str(args.mb)])
    assert small and big
    print(f"# python {platform.python_version()} ({sys.executable}): the figures depend on the interpreter's build "
          f"as well as on the machine")
    print("# synthetic bilingual corpus, one core, streamed; each size in a fresh process")
    print(_line("synthetic_1m", small) + f" peak_rss_mb={small['peak_rss_mb']:.0f}")
    print(_line(f"synthetic_{args.mb:g}m", big) + f" peak_rss_mb={big['peak_rss_mb']:.0f}")
    growth = big["peak_rss_mb"] - small["peak_rss_mb"]
    print(f"rss_growth_mb={growth:.0f} (peak RSS {args.mb:g}M chars minus 1M chars; flat memory keeps it small)")
    mb, rate = big["utf8_bytes"] / big["seconds"] / 1e6, big["chars"] / big["seconds"]
    print(f"floor utf8_mb_per_s>={FLOOR_MB_PER_S:g} measured={mb:.3f} status={'ok' if mb >= FLOOR_MB_PER_S else 'below'}"
          f" (the issue's floor, 1 MB/s of text; wall time includes other load: "
          f"{big['utf8_bytes'] / (big['cpu_seconds'] or 1e-9) / 1e6:.3f} MB per CPU second)")
    print(f"floor chars_per_s>={FLOOR_CHARS_PER_S} measured={rate:.0f} "
          f"status={'ok' if rate >= FLOOR_CHARS_PER_S else 'below'} (the stricter reading, in characters: an Arabic "
          f"letter is two bytes; chars_per_cpu_s={big['chars'] / (big['cpu_seconds'] or 1e-9):.0f})")

    adv = _run_child(["--adversarial"], ADVERSARIAL_TIMEOUT_S)
    if adv is None:
        print(f"adversarial chars=1000000 seconds>{ADVERSARIAL_TIMEOUT_S:.0f} (stopped) "
              f"floor<={FLOOR_ADVERSARIAL_S} status=below")
    else:
        print(f"adversarial chars={adv['chars']} claims={adv['claims']} seconds={adv['seconds']:.2f} "
              f"cpu_seconds={adv['cpu_seconds']:.2f} "
              f"floor<={FLOOR_ADVERSARIAL_S} status={'ok' if adv['seconds'] <= FLOOR_ADVERSARIAL_S else 'below'}")
    units = []
    for name in ADVERSARIAL_UNITS:
        r = _run_child(["--unit", name], UNIT_TIMEOUT_S)
        units.append((r["seconds"] if r else float("inf"), name))
    timings = "; ".join(f"{name} {t:.2f}s".replace("infs", "inf") for t, name in sorted(units, reverse=True))
    print(f"# adversarial units, 100k chars each, slowest first ('inf': stopped after {UNIT_TIMEOUT_S:.0f} s): "
          + timings)

    start = _run_child(["--startup"])
    assert start
    print(f"startup seconds={start['seconds']:.2f} (a fresh process: import, load the languages, compile the rules; "
          f"not in the figures above, each measured after a warm-up)")
    if not args.no_research and (args.shared / "research/corpus").is_dir():
        research = _run_child(["--research-probe", "--shared", str(args.shared)])
        assert research
        print(_line("research_corpus", research))
    return 0


if __name__ == "__main__":
    sys.exit(main())
