"""What the offline client needs from the server on every page: the user and its labels."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import can
from ..labels import MATERIALS, OUTCOMES, row_labels


def field_labels() -> dict[str, object]:
    """Readable names of the entry fields a refusal can be about (the phone's list of entries
    to fix and the commanders' review page say "Điện thoại", never `phone`)."""
    from ..households.forms import HouseholdForm
    from ..visits.forms import VisitForm

    labels = {"household_id": _l("Household"), "campaign_id": _l("Campaign"), "village_id": _l("Village"),
              "recorded_at": _l("Time recorded"), "lat": _l("Location"), "lon": _l("Location"),
              "type": _l("Entry type"), "id": _l("Entry id"), "server": _l("Server"),
              "visit_id": _l("Visit"), "supersedes": _l("Visit corrected"), "reason": _l("Reason")}
    for form in (HouseholdForm, VisitForm):
        for name in dir(form):
            field = getattr(form, name)
            if hasattr(field, "field_class") and field.args and name not in labels:
                labels[name] = field.args[0]
    return labels


def client_labels() -> dict:
    """Translated labels for the outbox, the "cần xử lý" list and the offline shell."""
    labels = dict(row_labels())
    labels.update({f"o_{code}": str(label) for code, label in OUTCOMES.items()})
    labels.update({f"m_{code}": str(label) for code, label in MATERIALS.items()})
    labels.update(
        user=current_user.username, user_name=current_user.display_name, may_record=can(current_user, "record"),
        corrects_any=can(current_user, "correct_any"), undo_seconds=current_app.config["UNDO_SECONDS"],
        fields={name: str(label) for name, label in field_labels().items()},
        my_villages=_("My villages"), map=_("Map"), search=_("Search name, address, house no."), status=_("Status"),
        all=_("All"), households=_("households"), more=_("Show more"), no_match=_("No household matches."),
        sync=_("Sync"), syncing=_("Syncing…"), pending=_("Not sent yet"), saving=_("Saving…"), topics_word=_("topics"),
        unsent=_("%(n)s visits not sent yet", n="%(n)s"), sending=_("Sending…"),
        sent_at=_("All sent at %(time)s", time="%(time)s"), nothing_sent=_("Nothing waiting to be sent"),
        not_sent=_("not sent yet, will retry"), offline=_("No connection"),
        offline_hint=_("No connection: visits are kept on this phone and sent when it returns."),
        undo_failed=_("Could not undo; record a correction on the household page."),
        attention=_("To fix before sending"), quarantined=_("Returned by the server"),
        id_conflict=_("Id conflict"), new_household=_("New household"), fix=_("Open the household"),
        edit=_("Edit"), resend=_("Send again"), save_resend=_("Save and send again"),
        discard=_("Discard"), discard_confirm=_("Discard this entry? It will not be sent."),
        login_again=_("Your session has expired. Unsent entries are kept on this phone."),
        login=_("Log in again"),
        logout_unsent=_("%(n)s entries have not been sent yet. Signing out deletes them from this "
                        "phone. Sign out anyway?", n="%(n)s"),
        no_pack=_("No offline data on this phone yet. Open the app once with a connection."),
        not_in_pack=_("This page is not available offline."),
        history=_("Visit history"), no_visit=_("No visit yet."),
        offline_detail=_("Offline: the last five visits; topics and notes open when the server is reachable."),
        clock_ahead=_("The phone's clock is %(diff)s ahead of the server's. Set the phone's date and time "
                      "(Settings → Date and time, automatic), or visits will carry the wrong time.", diff="%(diff)s"),
        clock_behind=_("The phone's clock is %(diff)s behind the server's. Set the phone's date and time "
                       "(Settings → Date and time, automatic), or visits will carry the wrong time.", diff="%(diff)s"),
        n_minutes=_("%(n)s minutes", n="%(n)s"), n_hours=_("%(n)s hours", n="%(n)s"), n_days=_("%(n)s days", n="%(n)s"),
        nearest=_("Nearest first"), walk_order=_("Walking order"),
        correct=_("Correct"), withdraw=_("Withdraw"), corrected=_("corrected"), withdrawn=_("withdrawn"),
        correct_title=_("Correct this visit"),
        withdraw_reason=_("Why withdraw this visit? (required)"),
        photo_shrinking=_("Making the photo smaller…"), photo_ready=_("Photo ready, sent after the visit:"),
        photo_not_image=_("This file is not a photo; take the photo again."),
        photo_refused=_("Photos the server did not take"),
    )
    return labels
