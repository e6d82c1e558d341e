"""The incident verdict and the incident list as papers for a disciplinary file: a Word
document (`document`) and the printable pages (templates/accountability/*_print.html), both
with the commune police's letterhead and the same sentences (`wording`)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..extensions import db
from ..i18n import number, vn_date, vn_datetime
from ..labels import INCIDENT_KINDS, OUTCOMES
from ..register.models import Commune
from ..reports import letterhead as heads
from . import document as doc
from .wording import account, people, person


def letterhead(commune_id: int | None, on: date) -> doc.Letterhead:
    """The commune police's header (`reports.letterhead`), signed by its commander, sent to the
    incident's file (blank lines when the commune is unknown)."""
    commune = db.session.get(Commune, commune_id) if commune_id else None
    head = heads.for_commune(commune, on) if commune else heads.blank(on)
    head.recipients = [_("The incident's file;"), _("Archive: office.")]
    return head


def household_line(household) -> str:
    return _("%(name)s, house no. %(code)s, %(address)s, %(village)s",
             name=household.head_name, code=household.code or "–", address=household.address or "–",
             village=f"{household.village.code} {household.village.name}")


def trail_grid(said: dict) -> doc.Grid:
    return doc.text_grid(
        [_("Visit time (phone)"), _("Received by the server"), _("By"), _("Outcome"), _("On record")],
        [[vn_datetime(v.recorded_at), vn_datetime(v.received_at),
          "; ".join(f"{person(u)} ({u.username})" for u in v.people), OUTCOMES.label(v.outcome), state]
         for v, state in said["trail"]],
        [2.6, 2.6, 5.0, 2.2, 3.6])


def verdict_docx(incident, verdict, on: date) -> bytes:
    """One incident: the household, the incident, the verdict, who answered for the village
    that day, and every visit to the household as the record holds it."""
    said = account(verdict, incident.occurred_on)
    document = doc.new_document()
    head = letterhead(incident.household.village.commune_id, on)
    doc.add_letterhead(document, head)
    doc.add_title(document, _("Verification report"),
                  _("Warning of a household before the incident of %(day)s", day=vn_date(incident.occurred_on)))
    doc.add_paragraph(document, _("Household: %(line)s.", line=household_line(incident.household)))
    doc.add_paragraph(document, facts_line(incident))
    doc.add_paragraph(document, _("Conclusion: %(text)s", text=said["headline"]), bold=True)
    for line in (said["before"], said["later"]):
        if line:
            doc.add_paragraph(document, line)
    doc.add_paragraph(document, responsible_line(verdict))
    doc.add_paragraph(document, _("Visits to this household: the record"), bold=True)
    doc.add_table(document, trail_grid(said), size=10)
    doc.add_signature(document, head)
    return doc.to_bytes(document)


def facts_line(incident) -> str:
    parts = [_("Incident: %(kind)s on %(day)s", kind=INCIDENT_KINDS.label(incident.kind),
               day=vn_date(incident.occurred_on))]
    if incident.victim_age is not None:
        parts.append(_("victim aged %(age)s", age=incident.victim_age))
    if incident.loss_vnd is not None:
        parts.append(_("loss %(amount)s đ", amount=number(incident.loss_vnd)))
    text = "; ".join(parts) + "."
    return f"{text} {incident.note}" if incident.note else text


def responsible_line(verdict) -> str:
    if not verdict.responsible:
        return _("Nobody was assigned to this village on that day.")
    return _("Assigned to the village on %(day)s: %(people)s.", day=vn_date(verdict.assigned_on),
             people=people(a.user for a in verdict.responsible))


def list_docx(rows, commune_id: int | None, on: date) -> bytes:
    """The incident list: one row per incident with its verdict in words and who answered."""
    document = doc.new_document(landscape=True)
    head = letterhead(commune_id, on)
    doc.add_letterhead(document, head)
    doc.add_title(document, _("Incidents and whether the households were warned before"))
    doc.add_table(document, doc.text_grid(
        [_("No."), _("Date"), _("Household"), _("Kind"), _("Loss (VND)"), _("Verdict"), _("Responsible that day")],
        [[str(n), vn_date(i.occurred_on), household_line(i.household), INCIDENT_KINDS.label(i.kind),
          number(i.loss_vnd) if i.loss_vnd is not None else "–", account(v, i.occurred_on)["headline"],
          people(a.user for a in v.responsible) or "–"] for n, (i, v) in enumerate(rows, 1)],
        [1.0, 2.3, 6.0, 3.2, 2.6, 6.5, 5.0]), size=10)
    doc.add_signature(document, head)
    return doc.to_bytes(document)
