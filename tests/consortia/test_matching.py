"""The pure scorer behind 'ideas that need someone like me' (no database, no Flask)."""

from __future__ import annotations

import time

from pic_events.consortia.matching import IdeaFacts, OpenRole, Seeker, fold, rank, score_idea, words

ME = Seeker(
    registration_id=7,
    kind="research",
    country="ES",
    sectors=frozenset({"fruit-vegetables"}),
    offer_words=words("Field trials of apple varieties; orchard phenotyping"),
    calls=frozenset({fold("HORIZON-CL6-2027")}),
)


def facts(idea_id=1, roles=(), sectors=(), covered=("FR",), call="", members=(1,)):
    return IdeaFacts(
        id=idea_id,
        lead_id=members[0],
        sectors=frozenset(sectors),
        call=call,
        open_roles=tuple(roles),
        countries_covered=frozenset(covered),
        member_ids=frozenset(members),
    )


def test_words_fold_accents_and_drop_the_common_ones():
    assert words("Łódź orchards with Weiß trials") == frozenset(
        {"lodz", "orchard", "weiss", "trial"}
    )


def test_the_kind_the_country_and_the_words_make_the_score_and_the_reasons():
    role = OpenRole(1, "research", ("ES", "IT"), words("field trials in southern Europe"))
    match = score_idea(
        ME, facts(roles=[role], sectors={"fruit-vegetables"}, call="HORIZON-CL6-2027-X")
    )
    codes = [code for code, _ in match.reasons]
    assert codes == ["kind", "country_wanted", "new_country", "words", "sectors", "call"]
    assert match.role_id == 1 and match.score > 9


def test_a_role_for_other_countries_or_my_own_idea_is_no_match():
    elsewhere = OpenRole(1, "research", ("DE",))
    assert score_idea(ME, facts(roles=[elsewhere])).score == 0
    mine = OpenRole(2, "research")
    assert score_idea(ME, facts(roles=[mine], members=(7,))).score == 0
    assert score_idea(ME, facts(roles=[])).score == 0


def test_a_new_country_alone_is_not_a_recommendation():
    assert score_idea(ME, facts(roles=[OpenRole(1, "public_body")])).score == 0


def test_ranking_is_best_first_and_fast_enough_for_a_page():
    good = facts(1, [OpenRole(1, "research", ("ES",))])
    better = facts(2, [OpenRole(2, "research", (), words("apple trials"))], {"fruit-vegetables"})
    assert [f.id for f, _ in rank(ME, [good, better, facts(3)])] == [2, 1]
    many = [
        facts(i, [OpenRole(i, "research", (), words("apple orchard trials sensors"))])
        for i in range(1000)
    ]
    started = time.perf_counter()
    rank(ME, many)
    assert time.perf_counter() - started < 0.5
