"""What the offline client needs from the server on every page: the user and its labels."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import can
from ..labels import OUTCOMES, row_labels


def client_labels() -> dict:
    """Translated labels for the outbox, the "cần xử lý" list and the offline shell."""
    labels = dict(row_labels())
    labels.update({f"o_{code}": str(label) for code, label in OUTCOMES.items()})
    labels.update(
        user=current_user.username, user_name=current_user.display_name, may_record=can(current_user, "record"),
        undo_seconds=current_app.config["UNDO_SECONDS"],
        my_villages=_("My villages"), map=_("Map"), search=_("Search name, address, house no."), status=_("Status"),
        all=_("All"), households=_("households"), more=_("Show more"), no_match=_("No household matches."),
        sync=_("Sync"), pending=_("Not sent yet"), saving=_("Saving…"),
        undo_failed=_("Could not undo; record a correction on the household page."),
        attention=_("Needs attention"), quarantined=_("Refused"), id_conflict=_("Id conflict"),
        new_household=_("New household"), fix=_("Open the household"), resend=_("Send as a new entry"),
        discard=_("Discard"), discard_confirm=_("Discard this entry? It will not be sent."),
        login_again=_("Your session has expired. Unsent entries are kept on this phone."),
        login=_("Log in again"),
        logout_unsent=_("%(n)s entries have not been sent yet. Signing out deletes them from this "
                        "phone. Sign out anyway?", n="%(n)s"),
        no_pack=_("No offline data on this phone yet. Open the app once with a connection."),
        not_in_pack=_("This page is not available offline."),
        history=_("Visit history"), no_visit=_("No visit yet."),
        offline_detail=_("Offline: the last five visits; topics and notes open when the server is reachable."),
        photo_shrinking=_("Making the photo smaller…"), photo_ready=_("Photo ready, sent after the visit:"),
        photo_not_image=_("This file is not a photo; take the photo again."),
        photo_refused=_("Photos the server did not take"),
    )
    return labels
