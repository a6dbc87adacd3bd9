"""The eight PIC sectors. A fixed list of the network, not data organisers edit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTORS: dict[str, str] = {
    "cider": _l("Cider"),
    "cereals": _l("Cereals"),
    "fruit-vegetables": _l("Fruit and vegetables"),
    "ornamental": _l("Ornamental horticulture"),
    "medicinal": _l("Medicinal plants"),
    "mushrooms": _l("Mushrooms"),
    "seeds": _l("Seeds"),
    "winegrowing": _l("Winegrowing"),
}


def sector_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in SECTORS.items()]


def sector_name(code: str) -> str:
    return str(SECTORS.get(code, code))
