"""A figure named by a word that does not tell the wounded from the dead ("shot") becomes casualties when a killed
part follows it (lexicon ``outcome_open``; engine ``_outcome_open``, ``_recategorise``)."""
from extract import extract_claims
from extract.claim import make_claim_id, text_hash


def test_parts_follow_the_new_id() -> None:
    text = "Six people were shot, including two children, and one of them died."
    whole, part, dead = extract_claims(text, doc="t", lang="en")
    assert (whole.category, whole.best) == ("casualties", 6)
    assert whole.claim_id == make_claim_id(text_hash(text), whole.start, whole.end, "casualties", None)
    assert part.subgroup_of == whole.claim_id  # the part linked before the category changed follows the new id
    assert (dead.category, dead.best, dead.subgroup_of) == ("killed", 1, None)  # the dead still count as killed


def test_shot_with_no_dead_stays_injured() -> None:
    claims = extract_claims("Six people were shot, including two children.", doc="t", lang="en")
    assert [c.category for c in claims] == ["injured", "injured"]


def test_the_dead_two_sentences_on() -> None:
    """The dead may be named two sentences after the figure ("Five people were shot … Police said … A woman was
    killed"); three sentences on, the figure stays injured."""
    two = "Five people were shot on Main Street late Monday. Police said the gunman fled on foot. A woman was killed."
    assert [c.category for c in extract_claims(two, doc="t", lang="en")] == ["casualties", "killed"]
    three = ("Five people were shot on Main Street late Monday. Police said the gunman fled on foot. "
             "Officers closed the road for hours. A woman was killed.")
    assert [c.category for c in extract_claims(three, doc="t", lang="en")] == ["injured", "killed"]
