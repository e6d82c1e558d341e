"""Per-village targets and deadlines of a campaign: reading, checking and saving them.

The dashboard (`coverage.goals`) reads them; the campaign's targets page writes them.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..extensions import db
from ..i18n import vn_date
from .models import Campaign, VillageTarget


def targets_of(campaign_id: int, village_ids: sa.Select) -> dict[int, VillageTarget]:
    """{village id: its own target row} in the campaign; 1 query."""
    return {t.village_id: t for t in db.session.scalars(sa.select(VillageTarget).where(
        VillageTarget.campaign_id == campaign_id, VillageTarget.village_id.in_(village_ids)))}


def parse_pct(text: str) -> int | None:
    """'' → None; a whole percent from 1 to 100; ValueError with the reason otherwise."""
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise ValueError(_("A target is a whole percent from 1 to 100."))
    return int(text)


def parse_due(text: str, campaign: Campaign) -> date | None:
    """'' → None; a day (dd/mm/yyyy or yyyy-mm-dd) within the campaign; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise ValueError(_("Write the deadline as dd/mm/yyyy."))
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise ValueError(_("The deadline falls within the campaign, from %(start)s to %(end)s.",
                           start=vn_date(campaign.starts_on), end=vn_date(campaign.ends_on)))
    return day


def save(campaign: Campaign, wanted: dict[int, tuple[int | None, date | None]]) -> int:
    """Set each village's (target, deadline); (None, None) removes its own. Returns how many
    villages changed; audited once with their count."""
    current = targets_of(campaign.id, sa.select(VillageTarget.village_id).where(
        VillageTarget.campaign_id == campaign.id))
    changed = 0
    for village_id, (pct, due) in wanted.items():
        row = current.get(village_id)
        if row is not None and (row.target_pct, row.due_on) == (pct, due):
            continue
        if row is None and pct is None and due is None:
            continue
        changed += 1
        if pct is None and due is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(VillageTarget(campaign_id=campaign.id, village_id=village_id, target_pct=pct, due_on=due))
        else:
            row.target_pct, row.due_on = pct, due
    if changed:
        db.session.flush()
        audit.record("campaign_targets", "campaign", campaign.id, villages=changed)
    return changed
