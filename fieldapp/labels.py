"""Codes and their labels, in one place (like Django's `TextChoices`).

A code is what the database, the JSON API, the offline client and the exports store; its
label is what a person reads, translated when shown. Models, forms, the OpenAPI document,
exports, templates (through the Jinja globals of `init_app`) and the offline client all
read the codes and labels here, so a new code is added once.
"""
from __future__ import annotations

from flask import Flask, g
from flask_babel import gettext, lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from .i18n import number


class Codes(dict):
    """{code: lazy label} in order: iterating gives the codes, `[code]` the label."""

    def label(self, code: str) -> str:
        """The label of `code`, or the code itself when it is unknown (an old record)."""
        return str(self.get(code, code))

    def choices(self) -> list[SelectChoice]:
        """As the choices of a WTForms select, radio or checkbox list."""
        return [SelectChoice(code, label) for code, label in self.items()]


ROLES = Codes(
    officer=_l("Officer / team member"), village_head=_l("Village head"),
    commander=_l("Commander"), province=_l("Province staff (PA05)"), admin=_l("Administrator"),
)

# What a visit found (design.md, "Visit outcomes and coverage status").
OUTCOMES = Codes(
    warned=_l("Warned"), nobody_home=_l("Nobody home"), refused=_l("Would not listen"), moved_away=_l("Moved away"),
)

# A campaign's state by its dates in Vietnam time, and once closed (`campaigns.models`).
CAMPAIGN_STATES = Codes(
    upcoming=_l("Upcoming"), running=_l("In progress"), ended=_l("Ended"), closed=_l("Closed"),
)

# A household's status in a campaign (computed by `coverage.status`).
STATUSES = Codes(
    not_visited=_l("Not visited"), revisit=_l("Revisit"), warned=_l("Warned"), excluded=_l("Excluded"),
)

# A household in the register: living there, moved away, or merged into a duplicate (codes only:
# pages say it in sentences).
HOUSEHOLD_STATUSES = ("active", "moved", "merged")

MATERIALS = Codes(
    leaflet=_l("Leaflet"), handbook=_l("Handbook"),
    qr_fanpage=_l("QR code of the commune police page"),
    hotline_sticker=_l("Commune police hotline sticker"),
)

INCIDENT_KINDS = Codes(
    scam=_l("Scam (property taken)"), online_kidnapping=_l("Online kidnapping"),
    sextortion=_l("Sextortion"), impersonation=_l("Impersonation of police or relatives"),
    investment=_l("Fake investment or online tasks"), other=_l("Other"),
)

# Was the household warned before an incident (`accountability.queries`): always relative to
# the incident's date, never "never" (a household may well have been warned since).
VERDICTS = Codes(
    warned=_l("Warned before the incident"), attempted=_l("Visited before, not warned"),
    moved_away=_l("Found moved away before"), not_visited=_l("Not visited before the incident"),
)

# Age groups an incident search asks for (the victim is usually 12–24 and not the head);
# the years each covers are in `households.rules.AGE_RANGES`.
AGE_GROUPS = Codes({"12-24": _l("Aged 12–24"), "12-17": _l("Aged 12–17"), "18-24": _l("Aged 18–24")})

# The checks the server raises on a visit at receipt (`proof.checks`), in the order shown.
CHECKS = Codes(
    far=_l("Far from the house"), no_fix=_l("No location"), poor_fix=_l("Poor location fix"),
    burst=_l("Too fast"), late_entry=_l("Entered late"), odd_hours=_l("At night"),
)

# The commander's reading of a flagged visit.
REVIEW_VERDICTS = Codes(fine=_l("Fine"), problem=_l("Problem"))

# What a sampled household said about its warning.
VERIFICATION_RESULTS = Codes(confirmed=_l("Confirmed"), denied=_l("Denied"), unreachable=_l("Unreachable"))

# A household's point learnt from a visit.
POINT_STATES = Codes(pending=_l("Waiting for the commander"), accepted=_l("Accepted"), cleared=_l("Cleared"))

IMPORT_RUN_STATUSES = Codes(
    running=_l("Running"), checked=_l("Checked, not imported"), done=_l("Imported"),
    refused=_l("File rejected"), failed=_l("Failed"),
)

# What a village head reports about the register (`changes`), and where his report stands.
CHANGE_KINDS = Codes(new=_l("New household"), moved=_l("Moved away"), duplicate=_l("Registered twice"),
                     wrong_info=_l("Wrong details"))
CHANGE_STATUSES = Codes(open=_l("Waiting"), accepted=_l("Accepted"), rejected=_l("Rejected"))

# Why two households look like one registered twice (`households.queries.likely_duplicates`).
DUPLICATE_REASONS = Codes(name=_l("Same name"), phone=_l("Same phone"), near=_l("Side by side, names alike"))

# Every action the audit log records, and the kinds of record and detail keys it names.
AUDIT_ACTIONS = Codes(
    login=_l("Signed in"), login_failed=_l("Failed sign-in"), logout=_l("Signed out"),
    household_create=_l("Added a household"), household_view=_l("Viewed a household"),
    visit_create=_l("Recorded a visit"), visit_withdraw=_l("Withdrew a visit"),
    pack_download=_l("Downloaded the offline pack"),
    quarantine_view=_l("Viewed sync entries to review"),
    assignment_change=_l("Changed an assignment"), warned_check=_l("Checked whether warned"),
    incident_create=_l("Recorded an incident"), incident_view=_l("Viewed an incident"),
    incident_list=_l("Listed incidents"),
    incident_export=_l("Exported incidents"), household_data_view=_l("Viewed personal data"),
    household_data_export=_l("Downloaded personal data"),
    household_access_view=_l("Viewed who accessed a household"),
    purge=_l("Blanked expired personal data"),
    export=_l("Exported data"), household_update=_l("Corrected a household"),
    household_moved=_l("Marked a household as moved away"),
    household_returned=_l("Marked a household as back"),
    household_merge=_l("Merged duplicate households"),
    household_unmerge=_l("Undid a merge of households"),
    duplicates_dismiss=_l("Marked two households as not duplicates"),
    campaign_targets=_l("Set villages' targets and deadlines"),
    change_report=_l("Reported a change to the register"), change_accept=_l("Accepted a reported change"),
    change_reject=_l("Rejected a reported change"),
    youth_named=_l("Named a young person of a household"),
    youth_unnamed=_l("Removed a young person's name"), duplicates_view=_l("Viewed likely duplicates"),
    households_import=_l("Imported households"), households_import_check=_l("Checked a household file"),
    villages_import=_l("Imported villages"), villages_import_check=_l("Checked a village file"),
    assignment_create=_l("Assigned a village"), assignment_end=_l("Ended an assignment"),
    campaign_create=_l("Created a campaign"), campaign_activate=_l("Started a campaign"),
    campaign_standard=_l("Set a campaign's standard package"), campaign_close=_l("Closed a campaign"),
    village_route=_l("Set a village's route order"),
    campaign_topic_add=_l("Added a topic to a campaign"), campaign_topic_move=_l("Reordered topics"),
    topic_create=_l("Created a topic"), rewarn_view=_l("Viewed the re-warning list"),
    user_create=_l("Created an account"), user_update=_l("Changed an account"),
    sessions_end=_l("Signed an account out of every device"), password_change=_l("Changed own password"),
    quarantine_resolve=_l("Resolved an entry to review"), village_review=_l("Reviewed a village"),
    commune_add=_l("Added a commune"), commune_rename=_l("Renamed a commune"),
    commune_merge=_l("Merged a commune into another"),
    check_review=_l("Reviewed a flagged visit"), point_accept=_l("Accepted a learnt location"),
    point_clear=_l("Cleared a learnt location"), sample_draw=_l("Drew the verification sample"),
    verification_record=_l("Recorded a verification"), photo_upload=_l("Sent a commitment photo"),
    photo_view=_l("Viewed a commitment photo"),
)

AUDIT_OBJECTS = Codes(
    household=_l("household"), households=_l("households"), village=_l("village"),
    incident=_l("incident"), user=_l("account"), visit=_l("visit"),
    assignment=_l("assignment"), campaign=_l("campaign"), topic=_l("topic"),
    quarantined_entry=_l("entry to review"), import_run=_l("import"), commune=_l("commune"),
    verification=_l("verification"), register_change=_l("reported change"),
)

AUDIT_DETAILS = Codes(
    rows=_l("rows"), format=_l("format"), campaign=_l("campaign"), village=_l("village"),
    households=_l("households"), user=_l("account"), role=_l("role"), fields=_l("fields"),
    topic=_l("topic"), topics=_l("topics"), created=_l("new"), updated=_l("updated"),
    unchanged=_l("unchanged"), filename=_l("file"), into=_l("merged into"),
    retention_days=_l("days kept"), pairs=_l("pairs"),
    household=_l("household"), outcome=_l("outcome"), supersedes=_l("replaces visit"),
    merged_from=_l("addressed to merged household"), occurred_on=_l("day of the incident"),
    kind=_l("kind"), as_of=_l("as of"), filters=_l("filters"), cutoff=_l("idle before"),
    dry_run=_l("trial run"), visits=_l("visits"), incidents=_l("incidents"),
    quarantined=_l("entries to review"), assignee=_l("assigned to"),
    assignment=_l("assignment"), starts_on=_l("from"), ends_on=_l("until"),
    user_name=_l("account"), visits_moved=_l("visits moved"), code=_l("code"),
    topic_id=_l("topic"), step=_l("moved by"), page=_l("page"), birth_year=_l("year of birth"),
    old_code=_l("former code"),
    materials=_l("materials"), reason=_l("reason"), visit=_l("visit"),
    verdict=_l("verdict"), result=_l("result"), sampled=_l("sampled"), bytes=_l("bytes"),
    change=_l("change"), date_from=_l("from"), date_to=_l("to"), q=_l("search"), status=_l("status"),
    age=_l("age"), note=_l("note"), villages=_l("villages"), sessions=_l("sessions ended"),
    import_previews=_l("import previews deleted"),
)


# Detail values shown by their label rather than their code.
AUDIT_DETAIL_CODES = {"outcome": OUTCOMES, "kind": INCIDENT_KINDS, "verdict": REVIEW_VERDICTS,
                      "result": VERIFICATION_RESULTS, "status": STATUSES, "change": CHANGE_KINDS}


def detail_items(detail: dict) -> list[tuple[str, str]]:
    """An audit event's detail as (label, value) pairs to show: outcomes and incident kinds by
    name, yes/no for booleans, numbers in the locale's format."""
    return [(AUDIT_DETAILS.label(key), _detail_value(key, value)) for key, value in detail.items()]


def _detail_value(key: str, value) -> str:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (int, float)):
        return number(value)
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    codes = AUDIT_DETAIL_CODES.get(key)
    return codes.label(value) if codes is not None else str(value)


def row_labels() -> dict[str, str]:
    """Labels of every household row, translated once per request (lists are long)."""
    if "row_labels" not in g:
        g.row_labels = {k: str(v) for k, v in STATUSES.items()} | {
            "btn_warned": gettext("Warned"), "btn_away": gettext("Nobody home"),
            "saved": gettext("Saved"), "undo": gettext("Undo"),
        }
    return g.row_labels


def init_app(app: Flask) -> None:
    """The labels as Jinja globals, for templates: `status_labels()[code]` and so on."""
    tables = dict(status_labels=STATUSES, outcome_labels=OUTCOMES, material_labels=MATERIALS,
                  kind_labels=INCIDENT_KINDS, verdict_labels=VERDICTS, action_labels=AUDIT_ACTIONS,
                  object_labels=AUDIT_OBJECTS, role_labels=ROLES, check_labels=CHECKS,
                  review_labels=REVIEW_VERDICTS, result_labels=VERIFICATION_RESULTS,
                  point_state_labels=POINT_STATES, campaign_state_labels=CAMPAIGN_STATES,
                  duplicate_reasons=DUPLICATE_REASONS, age_groups=AGE_GROUPS, change_kinds=CHANGE_KINDS,
                  change_statuses=CHANGE_STATUSES)
    app.jinja_env.globals.update({name: (lambda t=table: t) for name, table in tables.items()})
    app.jinja_env.globals.update(detail_items=detail_items, row_labels=row_labels,
                                 run_status=IMPORT_RUN_STATUSES.label,
                                 role_choices=lambda: list(ROLES.items()))
