"""Hypothesis strategies for what a hostile or careless client posts into an HTML form: any
Unicode (NUL, right-to-left marks, combining characters), very long text, numbers beyond any
column, malformed dates, times, e-mail addresses and addresses, wrong types for choices, a
field left out or sent twice, a field nobody asked for."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.security.html_forms import FormField

LONG_TEXT_SIZES = (256, 5_001, 100_000)

# Any character an HTTP form can carry (UTF-8 cannot encode lone surrogates).
ANY_CHARACTER = st.characters(codec="utf-8", exclude_categories=["Cs"])

TRICKY_TEXT = st.sampled_from(
    [
        "\x00",
        "Terra\x00Botanica",
        "\u202eacinatoB arreT",  # right-to-left override
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea",
        "e\u0301\u0301\u0301\u0301\u0301",  # stacked combining accents
        "\ufeff\u200b\u200d",  # BOM, zero-width
        "\U0001f331\U0001f468\u200d\U0001f469\u200d\U0001f467",
        " ",
        "\t\r\n",
        "<script>alert(1)</script>",
        "{{ 7*7 }}{% raw %}",
        "' OR '1'='1' --",
        "%s%n%x",
        "../../../etc/passwd",
        "\uffff\ufffe",
    ]
)

LONG_TEXT = st.builds(
    lambda n, c: c * n, st.sampled_from(LONG_TEXT_SIZES), st.sampled_from(["x", "é", "\U0001f331"])
)

TEXT = st.one_of(TRICKY_TEXT, st.text(ANY_CHARACTER, max_size=40), LONG_TEXT)

NUMBERS = st.one_of(
    st.integers(-(2**80), 2**80).map(str),
    st.sampled_from(
        [
            "-1",
            "0",
            "2147483648",
            "-2147483649",
            "9" * 40,
            "1e309",
            "nan",
            "inf",
            "-0",
            "1.5",
            "0x10",
            "\u0661\u0662",
            "1_000",
            " 7 ",
        ]
    ),
)

DATES = st.sampled_from(
    [
        "2031-02-30",
        "0000-00-00",
        "9999-12-31",
        "2031-13-01",
        "31/12/2031",
        "1850-03-29",
        "2031-6-5",
        "20310615",
        "2031-06-15T09:00",
        "-2031-06-15",
    ]
)
TIMES = st.sampled_from(["25:00", "12:60", "-1:00", "12", "noon", "23:59:60", "09:00:00.5"])
DATETIMES = st.sampled_from(
    [
        "2031-06-15T25:00",
        "2031-02-30T09:00",
        "1899-01-01T09:00",
        "9999-12-31T23:59",
        "2031-06-15 09:00",
        "2031-03-30T02:30",
        "2031-06-15T09:00+14:00",
    ]
)
EMAILS = st.sampled_from(
    [
        "a@",
        "@example.org",
        "a@b@example.org",
        "x" * 300 + "@example.org",
        "ünï@exämple.org",
        "a@localhost",
        "a b@example.org",
        "a@example.org\x00",
        "a@example..org",
    ]
)
URLS = st.sampled_from(
    [
        "javascript:alert(1)",
        "http://",
        "ftp://example.org",
        "//evil.example",
        "http://[::1",
        "http://" + "a" * 3000 + ".org",
        "data:text/html,<script>alert(1)</script>",
    ]
)

BY_KIND = {
    "number": NUMBERS,
    "range": NUMBERS,
    "date": DATES,
    "time": TIMES,
    "datetime-local": DATETIMES,
    "email": EMAILS,
    "url": URLS,
}

# A wrong type where a choice is expected: text, an id of nothing, an id beyond any column.
WRONG_CHOICE = st.one_of(NUMBERS, TRICKY_TEXT)


def plausible(form_field: FormField) -> st.SearchStrategy[str]:
    """What a person could send: the value shown or one of the options."""
    if form_field.values:
        return st.sampled_from(form_field.values)
    return st.just("PIC fuzz")


def hostile(form_field: FormField) -> st.SearchStrategy[str]:
    special = BY_KIND.get(form_field.kind)
    if form_field.kind in {"select", "select-multiple", "checkbox", "radio", "submit", "hidden"}:
        special = WRONG_CHOICE
    return st.one_of(special, TEXT) if special is not None else TEXT


def field_values(form_field: FormField) -> st.SearchStrategy[list[str]]:
    """No value (left out), one value, or the field sent twice or more."""
    one = st.one_of(plausible(form_field), hostile(form_field))
    return st.one_of(
        st.just([]),
        st.lists(one, min_size=1, max_size=1),
        st.lists(one, min_size=2, max_size=3),
    )


@st.composite
def form_bodies(draw, fields: dict[str, FormField]) -> list[tuple[str, str]]:
    """The (name, value) pairs of one posted form."""
    pairs = [(name, value) for name, f in fields.items() for value in draw(field_values(f))]
    if draw(st.booleans()):
        pairs.append((draw(st.sampled_from(["", "id", "role", "\x00", "é" * 50])), draw(TEXT)))
    return pairs
