"""Every question type with good and bad input; nothing is written on bad input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pic_events.core.validation import ServiceValidationError
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import services
from pic_events.registration.models import AuditLog, OptionPick, Registration
from pic_events.registration.services import RegistrationChanges, RegistrationInput
from tests.factories import make_event, make_question, make_user


@pytest.fixture
def form(app):
    event = make_event()
    questions = {
        "text": make_question(event, "Dietary needs", "text"),
        "long_text": make_question(event, "What do you hope to find?", "long_text"),
        "single_choice": make_question(
            event, "Site visit", "single_choice", options=[("Visit A", 25), "Visit B"]
        ),
        "multiple_choice": make_question(
            event, "Workshops of interest", "multiple_choice", options=["Cider", "Seeds", "Wine"]
        ),
        "yes_no": make_question(event, "Dinner", "yes_no"),
        "number": make_question(event, "Guests", "number", min_value=0, max_value=3),
        "date": make_question(event, "Arrival date", "date"),
    }
    return event, questions


def _answers(questions, **values):
    return {questions[kind].key: value for kind, value in values.items()}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_good_answers_of_every_type_are_stored_in_their_clean_form(form):
    event, q = form
    a, b = (o.id for o in q["single_choice"].options)
    cider, seeds, wine = (o.id for o in q["multiple_choice"].options)
    answers = _answers(
        q,
        text="  vegetarian  ",
        long_text="Partners for a Horizon Europe call.\nAnd cider.",
        single_choice=str(a),
        multiple_choice=[str(wine), cider],
        yes_no="yes",
        number="2",
        date="2027-06-14",
    )
    registration = services.register(
        event, make_user(), RegistrationInput(consent=True, answers=answers)
    )
    assert registration.answers == _answers(
        q,
        text="vegetarian",
        long_text="Partners for a Horizon Europe call.\nAnd cider.",
        single_choice=a,
        multiple_choice=[cider, wine],  # in the options' order
        yes_no=True,
        number=2,
        date="2027-06-14",
    )
    assert {p.option_id for p in registration.option_picks} == {a, cider, wine}
    assert seeds and b


@pytest.mark.parametrize(
    "kind, bad",
    [
        ("text", 42),
        ("text", "x" * 501),
        ("long_text", ["a list"]),
        ("single_choice", 999999),
        ("single_choice", "Visit A"),
        ("single_choice", True),
        ("multiple_choice", [999999]),
        ("multiple_choice", {"a": 1}),
        ("yes_no", "maybe"),
        ("yes_no", 3),
        ("number", "many"),
        ("number", True),
        ("number", 4),
        ("number", -1),
        ("number", "nan"),
        ("date", "14/06/2027"),
        ("date", "2027-02-30"),
        ("date", 20270614),
    ],
)
def test_bad_answers_are_refused_with_the_question_named_and_nothing_written(form, kind, bad):
    event, q = form
    with pytest.raises(ServiceValidationError) as error:
        services.register(
            event, make_user(), RegistrationInput(consent=True, answers=_answers(q, **{kind: bad}))
        )
    assert list(error.value.errors) == [f"answers.{q[kind].id}"]
    assert _count(Registration) == _count(OptionPick) == _count(OutboxMessage) == 0
    assert _count(AuditLog) == 0


def test_required_questions_need_an_answer_of_any_type(form):
    event, q = form
    for question in q.values():
        question.required = True
    db.session.commit()
    with pytest.raises(ServiceValidationError) as error:
        services.register(
            event,
            make_user(),
            RegistrationInput(consent=True, answers=_answers(q, text="  ", multiple_choice=[])),
        )
    assert set(error.value.errors) == {f"answers.{question.id}" for question in q.values()}
    assert _count(Registration) == 0


def test_unknown_question_ids_are_refused(form):
    event, _q = form
    with pytest.raises(ServiceValidationError) as error:
        services.register(
            event, make_user(), RegistrationInput(consent=True, answers={"999999": "x"})
        )
    assert "answers.999999" in error.value.errors


def test_a_bad_change_leaves_the_registration_as_it_was(form):
    event, q = form
    user = make_user()
    registration = services.register(
        event, user, RegistrationInput(consent=True, answers=_answers(q, number=1, text="vegan"))
    )
    with pytest.raises(ServiceValidationError):
        services.update_registration(
            registration,
            RegistrationChanges(answers=_answers(q, number="lots", text="none")),
            actor=user,
        )
    db.session.expire_all()
    stored = db.session.get(Registration, registration.id)
    assert stored.answers == _answers(q, number=1, text="vegan")
    assert _count(AuditLog) == 1  # only the creation


def test_a_partial_change_keeps_the_other_answers(form):
    event, q = form
    user = make_user()
    registration = services.register(
        event, user, RegistrationInput(consent=True, answers=_answers(q, number=1, text="vegan"))
    )
    services.update_registration(
        registration, RegistrationChanges(answers=_answers(q, yes_no=False)), actor=user
    )
    stored = db.session.get(Registration, registration.id)
    assert stored.answers == _answers(q, number=1, text="vegan", yes_no=False)


def test_numbers_too_large_and_fractional_option_ids_are_refused(form):
    event, q = form
    option_id = q["single_choice"].options[0].id
    cider = q["multiple_choice"].options[0].id
    for kind, bad in [
        ("number", 10**400),
        ("single_choice", option_id + 0.5),
        ("multiple_choice", [cider + 0.5]),
    ]:
        with pytest.raises(ServiceValidationError) as error:
            services.register(
                event,
                make_user(),
                RegistrationInput(consent=True, answers=_answers(q, **{kind: bad})),
            )
        assert list(error.value.errors) == [f"answers.{q[kind].id}"]
    assert _count(Registration) == 0


def test_control_characters_are_taken_out_of_text_answers(form):
    event, q = form
    registration = services.register(
        event,
        make_user(),
        RegistrationInput(
            consent=True, answers=_answers(q, text="a\x0bb\x00c", long_text="one\r\ntwo\tthree\x1f")
        ),
    )
    assert registration.answers == _answers(q, text="abc", long_text="one\ntwo\tthree")
