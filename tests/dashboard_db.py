"""Databases for the dashboard's tests: the demo corpus ingested, a generated one, an empty one.

The generated store is written through the store's own API (Claim records → ingest.claims_table →
db.write_batch), with texts whose claims sit at their real offsets, so evidence highlighting is exercised.
It includes hostile text (markup, a formula, a javascript: link) to check escaping.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from extract.claim import Claim, make_claim_id
from extract.store import db
from extract.store.ingest import ARTICLE_SCHEMA, article_id, claims_table

PARTIES = ("Syrian government forces", "SDF", "Islamic State", "civilians", "Israeli forces", "Hamas")
CLAIMANTS = (("SOHR", "ngo"), ("SANA", "government"), ("Amaq", "armed_group"), ("Al Jazeera sources", "media"),
             ("the health ministry", "medical"), ("local sources", "local_sources"))
PLACES = (("Idlib", "Syria", 35.93, 36.63), ("Aleppo", "Syria", 36.20, 37.15), ("Raqqa", "Syria", 35.95, 39.01),
          ("Deir ez-Zor", "Syria", 35.33, 40.14), ("Gaza", "Palestine", 31.50, 34.47),
          ("Khan Younis", "Palestine", 31.34, 34.30), ("Mosul", "Iraq", 36.34, 43.13))
HOSTILE = "<script>alert('x')</script>=HYPERLINK(\"http://evil\")"
VERSION = "test-1"


def _claim(doc_hash: str, doc: str, text: str, quote_at: int, quote: str, sentence: str, **kw: object) -> Claim:
    cat = str(kw.pop("category"))
    asset = kw.get("asset")
    return Claim(doc=doc, claim_id=make_claim_id(doc_hash, quote_at, quote_at + len(quote), cat, asset),  # type: ignore[arg-type]
                 category=cat, quote=quote, start=quote_at, end=quote_at + len(quote), sentence=sentence,
                 rule="test.generated", extractor_version=VERSION, **kw)  # type: ignore[arg-type]


def _article(n: int, rng: random.Random, start: date) -> tuple[dict, list[Claim]]:
    lang = "ar" if n % 3 == 0 else "en"
    day = start + timedelta(days=rng.randrange(0, 180))
    parts: list[str] = []
    pending: list[tuple[int, str, str, dict]] = []
    pos = 0
    for _ in range(rng.randint(1, 3)):
        party = rng.choice(PARTIES)
        claimant, ctype = rng.choice(CLAIMANTS)
        place, country, lat, lon = rng.choice(PLACES)
        best = rng.choice((1, 2, 3, 5, 7, 12, 20, 35, 60))
        kind = rng.random()
        if kind < 0.12:
            cat, asset, quote = "destroyed", rng.choice(("tank", "vehicle", "drone")), f"{best} {'دبابات' if lang == 'ar' else 'tanks'}"
        elif kind < 0.2:
            cat, asset, quote = "captured", None, f"{best} {'أسرى' if lang == 'ar' else 'prisoners'}"
        elif kind < 0.45:
            cat, asset, quote = "injured", None, f"{best} {'جرحى' if lang == 'ar' else 'wounded'}"
        else:
            cat, asset, quote = "killed", None, f"{best} {'قتلى' if lang == 'ar' else 'dead'}"
        if lang == "ar":
            sentence = f"أعلن {claimant} سقوط {quote} في {place} من {party}."
        else:
            sentence = f"{claimant} reported {quote} in {place} among {party}."
        vague = rng.random() < 0.15
        fields = dict(category=cat, asset=asset, lang=lang, low=best, best=best, high=None if vague else best,
                      qualifier="at_least" if vague else "exact", victims=party, party=party,
                      victim_type="civilian" if party == "civilians" else "combatant", claimed_by=claimant,
                      claimant=claimant, claimant_type=ctype, self_reported=rng.choice((True, False, None)),
                      location=place, place=place, country=country, lat=lat, lon=lon, event_date=day,
                      scope="cumulative" if rng.random() < 0.08 else "incident", confidence=round(rng.uniform(0.3, 1), 2))
        pending.append((pos + sentence.index(quote), quote, sentence, fields))
        parts.append(sentence)
        pos += len(sentence) + 1
    title = f"Report {n}"
    if n == 1:
        parts.append(HOSTILE)
        title = HOSTILE
    text = "\n".join(parts)
    aid = article_id(text)
    doc = f"gen/{n}.md"
    claims = [_claim(aid[:16], doc, text, at, q, s, **f) for at, q, s, f in pending]
    art = {"id": aid, "doc": doc, "title": title, "text": text, "lang": lang, "published": day,
           "outlet": rng.choice(("Al Jazeera", "Reuters", "Enab Baladi")),
           "url": "javascript:alert(1)" if n == 1 else f"https://example.org/{n}",
           "origin": doc, "extractor_version": VERSION, "n_claims": len(claims)}
    return art, claims


def generated_db(path: Path, articles: int = 120, seed: int = 7) -> Path:
    """A store of ``articles`` generated articles, written through the store's writer API."""
    rng = random.Random(seed)
    rows, claims, owners = [], [], []
    for n in range(1, articles + 1):
        art, found = _article(n, rng, date(2024, 1, 1))
        rows.append(art)
        claims += found
        owners += [art["id"]] * len(found)
    with db.writer(path) as con:
        db.write_batch(con, db.RunInfo(paths=["(generated)"], extractor_version=VERSION),
                       pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), claims_table(claims, owners), finished=True)
    return path


def empty_db(path: Path) -> Path:
    """A store with its schema and no rows."""
    with db.writer(path):
        pass
    return path
