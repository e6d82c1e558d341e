"""Irreversible actions (merge, purge, withdraw, close a campaign) confirm without JavaScript.

The action's form posts without `confirmed`; the view then answers with a confirmation page
that says what will happen and posts the same fields again with `confirmed=1`, or goes back.
With htmx on, the form asks in a dialog instead (`hx-confirm`) and sends `confirmed=1` with
it (`hx-vals`): both attributes come from the `confirm_attrs` macro of templates/_form.html.

    if not confirm.given():
        return confirm.ask(_("Merge … into …? This cannot be undone."), action=_("Merge"),
                           back=url_for("households.show", household_id=household.id))
"""
from __future__ import annotations

from flask import render_template, request

FIELD = "confirmed"


def given() -> bool:
    """Whether the person confirmed the action (the second post, or the dialog's)."""
    return request.form.get(FIELD) == "1"


def ask(question: str, *, action: str, back: str, title: str | None = None):
    """The confirmation page: `question`, a button labelled `action` that posts the same form
    to the same address with `confirmed=1`, and a link `back` that leaves everything as it is."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", FIELD)]
    return render_template("_confirm.html", question=question, action=action, back=back,
                           title=title or action, fields=fields, target=request.path), 200
