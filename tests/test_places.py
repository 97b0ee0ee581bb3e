"""extract.places against the real gazetteer file."""
import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import places
from extract.places import Place, compatible, find_places, lookup, parent


def _found(text):
    return [(text[s:e], p) for s, e, p in find_places(text)]


def test_arabic_prefixes_and_original_offsets():
    text = "قُتل ٥ مدنيين بمدينة حلب، وقصف بالرقة وللرقة ودير الزور"
    got = _found(text)
    assert [(q, p.name_ar, p.level) for q, p in got] == [
        ("حلب", "حلب", "town"), ("الرقة", "الرقة", "town"), ("للرقة", "الرقة", "town"),
        ("دير الزور", "دير الزور", "town")]
    assert all(p.country_code == "SY" for _, p in got)


def test_offsets_index_the_original_with_diacritics_and_tatweel():
    text = "قصفٌ على إدلـــب"
    (s, e, p), = find_places(text)
    assert text[s:e] == "إدلـــب" and p.name == "Idlib"


def test_governorate_words_pick_the_admin_area():
    text = "غارات على ريف إدلب الجنوبي وفي محافظة حلب وفي إدلب"
    got = _found(text)
    assert [(q, p.level) for q, p in got] == [("ريف إدلب", "admin1"), ("محافظة حلب", "admin1"), ("إدلب", "town")]
    assert _found("Shelling in Idlib province")[0][0] == "Idlib province"
    assert lookup("ريف إدلب").level == "admin1" and lookup("Idlib").level == "town"
    assert lookup("ريف دمشق").name_ar == "ريف دمشق"  # a governorate of its own, not Damascus


def test_english_names_are_capitalised_words():
    assert _found("Police said the mobile unit had hope.") == []
    # a lower-case word that some name continues from ("the" of The Bronx) is read in the original too
    assert [q for q, _ in _found("Shots in the bronx, then in The Bronx and in new berlin, New Berlin.")] == [
        "The Bronx", "New Berlin"]
    assert [q for q, _ in _found("Two were shot in Stockton and Jackson, Mississippi.")] == [
        "Stockton", "Jackson", "Mississippi"]


def test_clitic_glued_to_a_latin_name():
    """The rare path: an Arabic clitic stuck to a Latin word is undone too, and the name must still be capitalised."""
    assert [(q, p.name) for q, p in _found("قصف على وAleppo وbaghdad")] == [("Aleppo", "Aleppo")]


def test_words_of_one_name_stand_at_most_three_gap_characters_apart():
    assert [(q, p.level) for q, p in _found("the Gaza   Strip and Khan-Younis")] == [
        ("Gaza   Strip", "admin1"), ("Khan-Younis", "town")]
    assert _found("Khan  -  Younis") == [] and _found("Deir, ez-Zor") == []
    assert [q for q, _ in _found("وبالرقة ولدير الزور")] == ["الرقة", "دير الزور"]


@pytest.mark.parametrize("text,found", [
    ("مقتل مدنيين بقصف لقوات النظام وروسيا على إدلب", ["Idlib"]),
    ("جددت قوات النظام وروسيا قصف المناطق المحررة", []),
    ("بهجمات نفذتها قوات الأسد إلى جانب روسيا", []),
    ("قصف من قبل تركيا وروسيا على ريف حلب", ["Aleppo"]),
    ("مقتل 3 مدنيين في روسيا وتركيا", ["Russia", "Türkiye"]),  # places, not belligerents
    ("قتلى في سوريا والعراق", ["Syria", "Iraq"]),
    ("12 قتيلا بغارات شنتها تركيا في ريف الحسكة", ["Al-Hasakah"]),
    ("Eight killed in strikes carried out by Turkey in Idlib province", ["Idlib"]),
    ("Three killed in Turkey and Syria", ["Türkiye", "Syria"]),
    ("قتل خمسة مقاتلين موالين لإيران في البوكمال", ["Ālbū Kamāl"]),  # loyal to: a sponsor, not the place
    ("Two civilians were killed in a strike by the U.S.-led coalition", []),
    ("Iran-backed militias shelled a village near Deir ez-Zor", ["Deir ez-Zor"]),
    ("Three killed in Iran-Iraq border clashes", ["Iran", "Iraq"]),  # a hyphen alone makes no belligerent
])
def test_a_country_named_as_a_belligerent_is_no_place(text, found):
    assert [p.name for _q, p in _found(text)] == found


def test_a_hashtag_joins_the_words_of_a_name_with_underscores():
    assert [(q, p.name) for q, p in _found("غارات على مدينة #خان_شيخون و#جسر_الشغور #Deir_ez_Zor")] == [
        ("خان_شيخون", "Khān Shaykhūn"), ("جسر_الشغور", "Jisr ash Shughūr"), ("Deir_ez_Zor", "Deir ez-Zor")]


def test_common_words_are_not_places():
    assert _found("قال إنه كيف وإن بأنه الجنوب المدينة السلام كين بوست") == []


def test_context_country_breaks_ties():
    jackson = _found("Jackson, Mississippi")[0][1]
    assert jackson.admin1 == "Mississippi"
    us = _found("Lebanon, Tennessee and Nashville")
    assert us[0][1].country_code == "US" or us[0][1].level == "country"
    assert _found("غارة على صور في لبنان")[0][1].country_code in {"LB"}


def test_hierarchy_and_compatible():
    aleppo, gov, syria = lookup("Aleppo"), lookup("محافظة حلب"), lookup("سوريا")
    idlib = lookup("Idlib")
    assert aleppo.level == "town" and gov.level == "admin1" and syria.level == "country"
    assert compatible(aleppo, gov) and compatible(gov, aleppo) and compatible(aleppo, syria)
    assert compatible(gov, syria) and compatible(aleppo, aleppo)
    assert not compatible(aleppo, idlib) and not compatible(aleppo, lookup("Iraq")) and not compatible(aleppo, None)
    assert parent(aleppo) == gov and parent(gov) == syria and parent(syria) is None
    assert places.get(aleppo.geonameid) == aleppo


@pytest.mark.parametrize("name,cc", [
    ("حلب", "SY"), ("الموصل", "IQ"), ("صنعاء", "YE"), ("خان يونس", "PS"), ("جنين", "PS"), ("صيدا", "LB"), ("بنغازي", "LY"),
    ("الفاشر", "SD"), ("Kharkiv", "UA"), ("Bakhmut", "UA"), ("Raqqa", "SY"), ("Mosul", "IQ"), ("Chicago", "US"),
    ("Hodeidah", "YE"), ("Deir al-Balah", "PS"), ("Ain Issa", "SY"), ("البوكمال", "SY")])
def test_covered_countries_at_town_level(name, cc):
    p = lookup(name)
    assert p is not None and p.country_code == cc and p.level == "town"


@pytest.mark.parametrize("kurdish,arabic", [
    ("كوباني", "عين العرب"), ("سري كانيه", "رأس العين"), ("كري سبي", "تل أبيض"), ("ديرك", "المالكية"),
    ("الطبقة", "Al-Tabqa")])
def test_kurdish_and_other_names_of_a_town(kurdish, arabic):
    # Syrian Kurdish towns go by two names in the news; both are one place, found in running text too
    p = lookup(kurdish)
    assert p is not None and p == lookup(arabic) and p.level == "town"
    assert [q for _, _, q in find_places(f"قصف تركي على مدينة {kurdish} شمال سوريا")][0] == p


def test_lookup_unknown_and_case():
    assert lookup("Atlantis") is None and lookup("") is None
    assert lookup("aleppo") == lookup("Aleppo") and lookup("idlib province").level == "admin1"
    assert lookup("Hasakah province").level == "admin1" and lookup("Hasakah").level == "town"


def test_lookup_of_a_name_as_the_gazetteer_writes_it():
    # claims carry the gazetteer's own spelling, diacritics and all; looking it up again finds the same place
    for name in ("Tall Abyaḑ", "Ḩalab", "Arīḩā"):
        p = lookup(name)
        assert p is not None and p.country_code == "SY", name
    assert lookup("Tall Abyaḑ").name == "Tall Abyaḑ"


def test_a_name_beginning_with_an_ayn_mark_is_a_key():
    for name in ("‘Ayn al ‘Arab", "Ayn al Arab"):
        p = lookup(name)
        assert p is not None and p.name_ar == "عين العرب" and p.country_code == "SY", name


def test_common_words_are_not_places_and_regions_resolve_to_their_governorate():
    assert find_places("نقلت الخبر وكالة محلية") == [] and find_places("مشهد مؤلم بعد انتشار كورونا") == []
    (_s, _e, p), = find_places("قصف على بلدة في جبل الزاوية")
    assert (p.level, p.country_code, p.admin1) == ("admin1", "SY", "Idlib")


def test_a_place_in_an_organisations_name_is_no_place():
    assert [q for q, _ in _found("Two sources told Kirkuk Press Agency about shelling in Mosul.")] == ["Mosul"]
    assert [q for q, _ in _found("نقلت وكالة أنباء حلب ولشبكة إدلب أن القصف طال سراقب")] == ["سراقب"]
    assert [q for q, _ in _found("Meridian News said the strike hit Kirkuk. Meridian later added details.")] == [
        "Kirkuk"]  # the bare name too, where the text's other places lie in another country
    assert [q for q, _ in _found("Aleppo News reported shelling in Aleppo and Idlib.")] == ["Aleppo", "Idlib"]
    assert [q for q, _ in _found("The Gaza daily toll rose in Gaza.")] == ["Gaza", "Gaza"]  # not capitalised
    # a government called by its capital is a belligerent, not the place of the shelling
    assert [q for q, _ in _found("قتل أربعة أشخاص في قصف لقوات حكومة دمشق على قرية في ريف إدلب")] == ["ريف إدلب"]


def test_a_facility_or_a_longer_name_stands_where_the_other_places_lie():
    assert [q for q, _ in _found("The wounded reached Al-Safwa hospital in Taiz.")] == ["Taiz"]
    assert [q for q, _ in _found("Jets hit Idlib city and the Salah al-Din Ayoubi School there")] == ["Idlib"]
    assert [q for q, _ in _found("Clashes in the Abu Salim district of Tripoli")] == ["Tripoli"]
    assert [q for q, _ in _found("Shelling on Busra al-Harir in the countryside of Daraa")] == ["countryside of Daraa"]
    assert [q for q, _ in _found("نقل الجرحى إلى مستشفى الكسرة في ريف دير الزور")] == ["الكسرة", "ريف دير الزور"]
    assert [q for q, _ in _found("قصف على ميناء الحديدة")] == ["الحديدة"]  # no other place to go by
    assert [q for q, _ in _found("غارات على محطة بغداد وحي الميدان في حلب")] == ["حلب"]  # a station named after a city
    assert [q for q, _ in _found("in the Old City of Mosul and Ras al-Ain")] == ["Mosul", "Ras al-Ain"]


def test_another_countrys_alternate_name_follows_the_text():
    assert _found("An ambush near Palmyra in the Homs desert")[0][1].country_code == "SY"
    assert _found("Shots fired in Palmyra, Pennsylvania")[0][1].country_code == "US"
    # «أريحا» is Ariha's own name (population unknown: an admin seat) and Jericho's alternate
    assert _found("قصف على أريحا وسراقب")[0][1].country_code == "SY"
    assert _found("اقتحام أريحا في الضفة الغربية")[0][1].country_code == "PS"
    assert _found("اعتقالات في مدينة كتم بولاية شمال دارفور")[0][1].name == "Kutum"  # an alias; Kitim in Jordan too


def test_a_place_glued_to_a_time_or_latin_text_is_found():
    """Posts glue a hashtag's place to the time or the page's Latin text after it."""
    assert [p.name for _, p in _found("قصف مدفعي استهدف خيمتهم شرق #بنش8:08 PM")] == ["Binnish"]
    assert [p.name for _, p in _found("غارات على حي الإذاعة في مدينة #حلبAll reactions:122")] == ["Aleppo"]


def test_english_spellings_of_north_east_syrian_towns():
    assert [p.name for _, p in _found("Turkish shelling hit Tal Tamr and Tel Rifaat")] == ["Tall Tamr", "Tall Rif‘at"]
    assert [p.name for _, p in _found("A drone struck Qamishli and Ayn Issa")] == ["Al Qāmishlī", "‘Ayn ‘Īsá"]


def test_a_dateline_is_where_the_report_was_filed_not_the_place_of_the_event():
    from extract import extract_claims
    text = "AMUDA, Syria (Example Press) - Two people were killed on Monday in a drone strike on a car near Kobani."
    assert [c.location for c in extract_claims(text, doc="d", lang="en")] == ["Kobani"]
    text = "DAMASCUS, Syria (Example Press) - Four people were killed on Sunday."  # no other place: it is the place
    assert [c.location for c in extract_claims(text, doc="d", lang="en")] == ["DAMASCUS"]


def test_common_words_and_name_beginnings_are_not_places():
    assert _found("وأدى القصف إلى نزوح الأهالي من الوادي ومن وادي قريب") == []
    assert _found("Gazan medics went to Bint Jbail and the Unity government") == []
    assert _found("مواقع القنص المطلة على القرى") == []
    assert _found("نقلت إلى المشفى بسبب حالتها الحرجة وأسكن الله الفقيد فسيح جناته") == []
    assert [q for q, _ in _found("قصف صاروخي للفصائل الكردي في ريف حلب")] == ["ريف حلب"]


def test_data_file_rows_are_whole():
    with places.GAZETTEER.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 10000
    levels = {r["level"] for r in rows}
    assert levels == {"country", "admin1", "town"}
    for r in rows:
        assert r["name"] and r["country_code"] and -90 <= float(r["lat"]) <= 90
        assert r["names"] or r["level"] != "town"
    admin = [r for r in rows if r["level"] == "admin1" and r["country_code"] in {"SY", "IQ", "YE", "LB", "LY", "SD"}]
    assert all(r["name"] and r["name_ar"] for r in admin)


def test_place_fields():
    p = lookup("Gaza")
    assert isinstance(p, Place) and p.country == "Palestinian Territories" and p.admin1 == "Gaza Strip"
    assert p.name_ar == "غزة" and abs(p.lat - 31.5) < 0.2


def test_file_keys_follow_the_current_normalisation():
    """The stored keys were made with extract.text.normalise_str: a change there needs a rebuild."""
    from extract.text import normalise_str

    with places.GAZETTEER.open(encoding="utf-8") as fh:
        keys = {k for r in csv.DictReader(fh) for k in r["names"].split("|") if k}
    stale = [k for k in keys if " ".join(places._TOKEN.findall(normalise_str(k))) != k]
    assert stale == []
    assert "حلب" in keys and "الرقه" in keys and "aleppo" in keys


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["حلب", "بالرقة", "ريف إدلب", "Aleppo", "Idlib province", "\u064b", "\u0640", " ",
                                 "، ", "و", "x", "١٢", "Gaza", "\u200f", ".", "-"]), max_size=20))
def test_spans_always_index_the_original(parts):
    text = "".join(parts)
    last = 0
    for s, e, p in find_places(text):
        assert last <= s < e <= len(text) and text[s:e].strip() == text[s:e]
        assert isinstance(p, Place)
        last = e


@pytest.mark.parametrize("text,lang", [
    ("اشتدت المعارك قرب مدينة خاركيف. وكانت موسكو قد أعلنت أن قواتها قتلت 50 جنديا.", "ar"),
    ("Heavy fighting went on near Kharkiv. Moscow said its forces killed 50 soldiers.", "en")])
def test_a_claim_is_not_placed_where_its_claimant_is_named(text, lang):
    from extract.engine import extract_claims

    (claim,) = extract_claims(text, lang=lang)
    assert claim.claimed_by in ("موسكو", "Moscow") and claim.place == "Kharkiv"
    (claim,) = extract_claims("The Kirkuk health directorate said 5 people were killed.", lang="en")
    assert claim.place == "Kirkuk"  # a claimant that only holds the place's name keeps it


def test_word_sets_behind_clitics_hold_every_reading_of_variants():
    """A word is in a set built by ``behind_clitics`` exactly when one of its readings (``_variants``: as written,
    without a clitic prefix, «لل» read as «ل» + «ال») is one of the words the set was built from."""
    g = places._gaz()
    words = ["محافظة", "الرقة", "قبل", "ال", "by", "حي", "حلب"]
    built = g.behind_clitics(words)
    tried = {p + w for w in words + ["لرقة", "رقة", "مدينة", "ب", "لب"]
             for p in ["", "و", "ب", "ل", "وب", "ول", "فل", "لل", "وال"]}
    for tok in tried | {w[1:] for w in tried if w}:
        if tok:
            assert (tok in built) == any(v in words for _skip, v in places._variants(tok)), tok
    assert g.hits >= built & set(g.first) and "للرقه" in g.hits  # «للرقة»: the names too


_ASCII_PIECES = ["aleppo", "a", "0", "12b", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", ".", "-",
                 "_", ", ", "\x00", "\x0e", "\x17", "\x18", "\x7f", "'"]
_OTHER_PIECES = ["Idlib", "’", "…", "\xa0", "\u2028", "\x85", "\u200b", "é", "٣", "😭"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ASCII_PIECES), max_size=12), st.lists(st.sampled_from(_OTHER_PIECES), max_size=4))
def test_the_word_splits_are_the_plain_regex_splits(pieces, others):
    """The splits written for speed (one class first; str.translate and str.split for ASCII and for Latin script with
    non-ASCII marks) give the parts of the plain patterns: every white space str.split knows, the stand-in characters
    and NUL in the text included."""
    import re

    text = "".join(pieces)
    assert places._split_ascii(text) == re.split(r"([a-z0-9]+)", text)
    latin = "".join(p for pair in zip(pieces, others) for p in pair) + text
    assert places._split_latin(latin) == re.split(r"([^\W_]+)", latin)
    assert places._SPLIT_LATIN.split(latin) == re.split(r"([^\W_]+)", latin)
    mixed = text + "حلب8" + text.replace("a", "é") + "#بنشAll"
    arabic = places._ARABIC
    assert places._SPLIT.split(mixed) == re.split(f"([{arabic}]+|[^\\W0-9_{arabic}]+|[0-9]+)", mixed)


class _Everything:
    """A word set that holds every word: the test behind it always runs."""

    def __contains__(self, _word):
        return True

    def isdisjoint(self, _words):
        return False


def test_the_look_ups_before_the_tests_spare_calls_only(monkeypatch):
    """The words looked up before `_part_of` (``part_before``, ``part_after``) and before the admin-word tests
    (``admin_before``, ``after_first``) only spare calls: with sets that hold every word, the places are the same.
    The texts put each listed word around names, with a place elsewhere («موسكو») that a doubtful one must match.
    (Leaving out any one word list behind those sets changes the places of 78 or more of the texts.)"""
    from extract.yaml_data import read_yaml

    extra = read_yaml(places.EXTRA)
    words = sorted({w for key in ("admin_words", "organisation_words", "facility_words", "longer_name_words",
                                  "actor_words") for lang in extra[key].values() for side in lang.values()
                    for w in side})
    forms = ["{w} {n}", "{n} {w}", "{W} {n}", "{n} {W}", "{n} {W} {W}", "{W}-{n}", "Busra {w}-{n}", "{n} {w}-Qadim",
             "ب{w} {n}", "و{n} {w}"]
    texts = [f.format(w=w, W=w.title(), n=n) + " in Moscow" for w in words
             for n in ["حلب", "دير الزور", "سوريا", "Aleppo", "Deir ez-Zor", "Syria"] for f in forms]
    want = [find_places(t) for t in texts]
    g = places._gaz()
    for name in ("part_before", "part_after", "admin_before", "after_first"):
        monkeypatch.setattr(g, name, _Everything())
    assert [find_places(t) for t in texts] == want


def test_a_text_of_more_words_than_the_kept_indices_finds_the_same_places(monkeypatch):
    text = "Shelling hit Aleppo and the Idlib countryside; in Deir ez-Zor, «قصف على حلب وريف إدلب» said the Aleppo office."
    expected = _found(text)
    assert expected
    monkeypatch.setattr(places, "_KEEP", 3)
    monkeypatch.setattr(places._gaz(), "indices", [0, 1, 2])
    assert _found(text) == expected
