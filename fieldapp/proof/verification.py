"""The verification sample: warned households drawn at random per officer, checked with the
households by the commander or the village head (confirmed / denied / unreachable).

**A draw** covers the warnings of one commune's campaign that the server received in
[window_from, window_to): each draw starts where the last one ended, so no warning is drawn
twice. The population of an officer is the households he warned (his visits `warned`, in force
when drawn), less households already sampled in the campaign. He gets the larger of
VERIFY_SAMPLE_MIN and VERIFY_SAMPLE_PCT % of them (never more than there are), chosen by
`random.Random(f"{seed}:{officer id}").sample` from the households sorted by id. The seed,
the window and the population sizes are recorded with the draw, so `population()` and
`choose()` give the same sample again from the history (`redraw` does it, the tests check it).
Drawing is in `sample.py`: each week's draw happens when a week has ended and the sample
page is opened (or by `flask draw-sample`); a commander may also draw at once for what
arrived since the last draw.

**Verified coverage** of a village = claimed coverage × its confirmation rate, where the rate
is confirmed ÷ (confirmed + denied) over the campaign's sample of the village (unreachable
households and those not yet checked are left out; that count is the sample size shown).
Totals use the pooled rate of the villages they add up. A correction inherits the
verification of the warning it restates (`of_visit`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from ..accountability import audit
from ..auth import scoping
from ..extensions import db
from ..households.models import Household
from ..timeutil import utcnow
from ..visits.models import Visit
from .models import RESULTS, Verification, VerificationDraw


@dataclass
class Rate:
    """Results of a sample: how many confirmed, denied, unreachable, not yet checked."""

    confirmed: int = 0
    denied: int = 0
    unreachable: int = 0
    pending: int = 0

    @property
    def sample(self) -> int:
        """The households that answered: what the rate is taken over."""
        return self.confirmed + self.denied

    @property
    def drawn(self) -> int:
        return self.sample + self.unreachable + self.pending

    @property
    def rate(self) -> float | None:
        return self.confirmed / self.sample if self.sample else None

    def add(self, other: Rate) -> None:
        for name in ("confirmed", "denied", "unreachable", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def scale(self, claimed: float | None) -> float | None:
        """Claimed coverage × the confirmation rate; None without a rate."""
        return None if claimed is None or self.rate is None else claimed * self.rate


def _counts(key, where) -> dict:
    """{key value: Rate} over the verifications matching `where`; one query."""
    query = (sa.select(key, Verification.result, sa.func.count()).join(VerificationDraw)
             .where(*where).group_by(key, Verification.result))
    found: dict = defaultdict(Rate)
    for value, result, n in db.session.execute(query):
        name = result if result in RESULTS else "pending"
        setattr(found[value], name, getattr(found[value], name) + n)
    return dict(found)


def village_rates(campaign_id: int, village_ids: sa.Select) -> dict[int, Rate]:
    """{village id: Rate} of the campaign's sample in the villages of `village_ids` (a SELECT
    from auth.scoping), read from the sample's summary rows (`coverage.rollups` keeps them as
    draws and answers are written): one query over a few rows per village, however large the
    sample. The province dashboard and exports call this."""
    from ..coverage.models import VillageCheckSummary as Checks

    found: dict = defaultdict(Rate)
    for village_id, result, n in db.session.execute(
            sa.select(Checks.village_id, Checks.result, Checks.households)
            .where(Checks.campaign_id == campaign_id, Checks.village_id.in_(village_ids))):
        setattr(found[village_id], result, n)
    return dict(found)


def village_rates_recounted(campaign_id: int, village_ids: sa.Select) -> dict[int, Rate]:
    """`village_rates` counted from the sample itself (the tests compare the two)."""
    return _counts(Verification.village_id, [VerificationDraw.campaign_id == campaign_id,
                                            Verification.village_id.in_(village_ids)])


def officer_rates(campaign_id: int, village_ids: sa.Select) -> dict[int, Rate]:
    """{officer id: Rate} of the campaign's sample in those villages; one query."""
    return _counts(Verification.officer_id, [VerificationDraw.campaign_id == campaign_id,
                                            Verification.village_id.in_(village_ids)])


def flagged_counts(campaign_id: int, village_ids: sa.Select) -> tuple[dict[int, int], dict[int, int]]:
    """Visits in force with at least one check: ({officer id: n}, {village id: n}); two queries."""
    from .models import VisitCheck

    flagged = (sa.select(Visit.user_id, Household.village_id)
               .join(Household, Household.id == Visit.household_id)
               .where(Visit.counted_in(campaign_id),
                      Visit.id.in_(sa.select(VisitCheck.visit_id)), Household.village_id.in_(village_ids))
               .subquery())
    count = sa.func.count()
    return (dict(db.session.execute(sa.select(flagged.c.user_id, count).group_by(flagged.c.user_id)).all()),
            dict(db.session.execute(sa.select(flagged.c.village_id, count).group_by(flagged.c.village_id)).all()))


# --- checking with the household ------------------------------------------------------


def items(user, campaign_id: int, village_id: int | None = None, pending_only: bool = False) -> sa.Select:
    """Sampled warnings in the user's area (a village of it), not checked first."""
    query = (sa.select(Verification).join(VerificationDraw)
             .where(VerificationDraw.campaign_id == campaign_id,
                    Verification.village_id.in_(scoping.village_ids(user)))
             .order_by(Verification.result.is_not(None), Verification.village_id, Verification.id)
             .options(sa.orm.joinedload(Verification.household), sa.orm.joinedload(Verification.officer),
                      sa.orm.joinedload(Verification.by)))
    if village_id:
        query = query.where(Verification.village_id == village_id)
    if pending_only:
        query = query.where(Verification.result.is_(None))
    return query


def get_item(user, item_id: int) -> Verification:
    """The sampled warning, or 404 when its household lies outside the user's area."""
    item = db.session.scalar(sa.select(Verification).where(
        Verification.id == item_id, Verification.village_id.in_(scoping.village_ids(user))))
    if item is None:
        abort(404)
    return item


def record(item: Verification, result: str, note: str, user) -> None:
    """The household's answer; a later answer replaces it (each one is in the audit log)."""
    item.result, item.note, item.by_id, item.at = result, note.strip(), user.id, utcnow()
    audit.record("verification_record", "verification", item.id, result=result, visit=str(item.visit_id))
    db.session.flush()


def _lineage(visit: Visit) -> list:
    """The visit and every visit it corrected, newest first (a correction inherits the
    verification of the warning it restates)."""
    ids, key = [visit.id], visit.supersedes_id
    while key is not None and key not in ids and len(ids) < 20:
        ids.append(key)
        key = db.session.scalar(sa.select(Visit.supersedes_id).where(Visit.id == key))
    return ids


def of_visit(visit: Visit) -> Verification | None:
    """The latest verification with a result of the visit or of a visit it corrected."""
    return db.session.scalar(
        sa.select(Verification).where(Verification.visit_id.in_(_lineage(visit)), Verification.result.is_not(None))
        .order_by(Verification.at.desc(), Verification.id.desc()).limit(1))


def of_visits(visit_ids) -> dict:
    """{visit id: latest Verification} (with or without a result) of these visits; one query."""
    ids = list(visit_ids)
    if not ids:
        return {}
    found = {}
    for item in db.session.scalars(sa.select(Verification).where(Verification.visit_id.in_(ids))
                                   .order_by(Verification.id)):
        found[item.visit_id] = item
    return found
