"""Printed documents: badges, the programme, personal agendas, table plans, participant lists.

Renderers are pure functions (model objects in, PDF bytes out) over Jinja templates in
templates/documents/ and WeasyPrint; they never query the database. The views (views.py)
and the CLI (cli.py) load what they need through services.py and pass it in.
"""
