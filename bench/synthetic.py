"""A synthetic bilingual (Arabic/English) news corpus of any size, for benchmarks and the store's tests.

    python bench/synthetic.py 20000 --out corpus.jsonl          # one JSON object per line
    python bench/synthetic.py 500 --out corpus/ --format txt    # one .txt file with front matter per article

Every document is unique (it carries its serial number) and holds several casualty figures, dated
(explicitly or relatively) and placed, in the style of wire reports. Written for this project: no real text.
"""
from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

PLACES_EN = ("Gaza", "Khan Younis", "Rafah", "Raqqa", "Deir ez-Zor", "Aleppo", "Idlib", "Mosul", "Homs", "Daraa")
PLACES_AR = ("غزة", "خان يونس", "رفح", "الرقة", "دير الزور", "حلب", "إدلب", "الموصل", "حمص", "درعا")
OUTLETS = ("Reuters", "AFP", "Al Jazeera", "SANA", "Anadolu", "الجزيرة", "سانا", "العربية")
EN_SENTENCES = (
    "{n} civilians were killed in an airstrike on {place} on {weekday}, the health ministry said.",
    "At least {n} people were injured when shelling hit a market in {place}, witnesses said.",
    "The Syrian Observatory for Human Rights said {n} fighters of the Islamic State were killed near {place}.",
    "Dozens of soldiers were wounded in clashes east of {place}, according to local sources.",
    "Government forces destroyed {small} tanks and captured {small} armoured vehicles near {place}.",
    "More than {n} members of the security forces were killed in an ambush outside {place}.",
    "The death toll since October has risen to {big} killed, the health ministry in {place} said.",
    "Rescue teams were still searching the rubble in {place} for {small} people who remain missing.",
    "Officials said about {n} militants surrendered to the army in {place}.",
)
AR_SENTENCES = (
    "قتل {n} مدنيا في غارة جوية على {place} يوم {weekday} بحسب وزارة الصحة.",
    "أصيب ما لا يقل عن {n} شخصا بقصف استهدف سوقا في {place} وفق شهود عيان.",
    "قال المرصد السوري لحقوق الإنسان إن {n} من مسلحي تنظيم الدولة قتلوا قرب {place}.",
    "أصيب عشرات الجنود في اشتباكات شرق {place} حسب مصادر محلية.",
    "دمرت القوات الحكومية {small} دبابات قرب {place}.",
    "قتل أكثر من {n} عنصرا من قوات الأمن في كمين قرب {place}.",
    "ارتفعت حصيلة القتلى منذ بدء الحرب إلى {big} قتيلا بحسب وزارة الصحة في {place}.",
    "لا يزال {small} أشخاص في عداد المفقودين تحت الأنقاض في {place}.",
)
FILLER_EN = ("The situation remained tense on the ground.", "Aid agencies called for access to the area.",
             "Residents described a night of heavy bombardment.", "Talks on a truce were expected to resume.")
FILLER_AR = ("ولا يزال الوضع متوترا على الأرض.", "ودعت منظمات الإغاثة إلى السماح بدخول المساعدات.",
             "ووصف السكان ليلة من القصف العنيف.", "ومن المتوقع استئناف محادثات التهدئة.")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def document(i: int, rng: random.Random, start: date = date(2023, 10, 7), days: int = 700) -> dict:
    """The i-th synthetic article: id, title, text, date, outlet, url, lang."""
    ar = rng.random() < 0.5
    places, sentences, filler, weekdays = ((PLACES_AR, AR_SENTENCES, FILLER_AR, WEEKDAYS_AR) if ar else
                                           (PLACES_EN, EN_SENTENCES, FILLER_EN, WEEKDAYS_EN))
    place = rng.choice(places)
    body = []
    for _ in range(rng.randint(3, 6)):
        body.append(rng.choice(sentences).format(n=rng.randint(2, 95), small=rng.randint(2, 9),
                                                 big=rng.randint(10000, 40000), place=rng.choice(places),
                                                 weekday=rng.choice(weekdays)))
        if rng.random() < 0.6:
            body.append(rng.choice(filler))
    serial = f"(مرجع {i})" if ar else f"(ref {i})"
    title = f"{place}: {'تقرير ميداني' if ar else 'field report'} {i}"
    return {"id": f"syn-{i}", "title": title, "text": f"{title}\n\n{' '.join(body)} {serial}",
            "date": (start + timedelta(days=rng.randrange(days))).isoformat(), "outlet": rng.choice(OUTLETS),
            "url": f"https://example.org/{i}", "lang": "ar" if ar else "en"}


def documents(n: int, seed: int = 0, first: int = 0) -> Iterator[dict]:
    """``n`` synthetic articles numbered from ``first`` (same seed, same corpus)."""
    rng = random.Random(seed)
    for i in range(first, first + n):
        yield document(i, rng)


def write_jsonl(path: Path, n: int, seed: int = 0, first: int = 0) -> Path:
    """Write ``n`` articles as JSON lines to ``path``."""
    with open(path, "w", encoding="utf-8") as fh:
        for d in documents(n, seed, first):
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


def write_txt_dir(path: Path, n: int, seed: int = 0, first: int = 0) -> Path:
    """Write ``n`` articles as .txt files with front matter into the directory ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    for d in documents(n, seed, first):
        meta = "\n".join(f"{k}: {json.dumps(d[k], ensure_ascii=False)}" for k in ("title", "date", "outlet", "url"))
        (path / f"{d['id']}.txt").write_text(f"---\n{meta}\n---\n{d['text']}\n", encoding="utf-8")
    return path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of articles")
    p.add_argument("--out", required=True, type=Path, help="a .jsonl file, or a directory with --format txt")
    p.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    (write_jsonl if args.format == "jsonl" else write_txt_dir)(args.out, args.n, args.seed)


if __name__ == "__main__":
    main()
