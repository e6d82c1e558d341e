"""Query parameters of the coverage pages, reports and exports: malformed → 400 with a
message naming the parameter; an unknown campaign or village → 404 (via scoping)."""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _

from ..auth import scoping
from ..campaigns.models import Campaign
from ..campaigns.services import current_campaign
from ..labels import STATUSES


def int_arg(name: str, default: int | None = None, low: int = 0, high: int = 2**31 - 1) -> int | None:
    """A whole number from the query string within [low, high]; 400 otherwise."""
    raw = request.args.get(name, "").strip()
    if raw == "":
        return default
    # The length first: int() refuses strings of over 4,300 digits with a ValueError.
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        abort(400, description=_("Parameter “%(name)s” must be a whole number from %(low)d to %(high)d.",
                                 name=name, low=low, high=high))
    return int(raw)


def choice_arg(name: str, choices, default: str = "") -> str:
    raw = request.args.get(name, "").strip()
    if raw == "":
        return default
    if raw not in choices:
        abort(400, description=_("Parameter “%(name)s” must be one of: %(choices)s.",
                                 name=name, choices=", ".join(choices)))
    return raw


def status_arg() -> str:
    return choice_arg("status", STATUSES)


def campaign_arg(user) -> Campaign | None:
    """?campaign=<id>, else the current campaign; 404 for one the user may not see."""
    campaign_id = int_arg("campaign", low=1)
    if campaign_id is None:
        return current_campaign(user)
    return scoping.get_campaign(user, campaign_id)


def village_arg(user):
    """?village=<id> (optional): the village, 404 outside the user's area; None when absent."""
    village_id = int_arg("village", low=1)
    return None if village_id is None else scoping.get_village(user, village_id)
