"""Compare the summary rows with a full recount from households and visits."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.coverage import queries, rollups, summaries
from fieldapp.extensions import db
from fieldapp.models import (Campaign, Commune, HouseholdMark, Village, VillageCheckSummary, VillageDaySummary,
                             VillageRegisterSummary, VillageStatusSummary)
from fieldapp.proof import verification

TABLES = (HouseholdMark, VillageStatusSummary, VillageDaySummary, VillageRegisterSummary, VillageCheckSummary)


def _numbers(rows) -> dict:
    return {(r.village or r.commune).id: (dict(r.counts), dict(r.youth)) for r in rows}


def table_rows() -> dict:
    return {model.__tablename__: sorted(tuple(map(str, row)) for row in
                                        db.session.execute(sa.select(*model.__table__.c)))
            for model in TABLES}


def assert_summaries_match_a_recount() -> None:
    """For every campaign: per village, per commune and per day, the summaries give what the
    live query layer counts from households and visits, and per village the verification
    sample's answers what the sample counts; and a rebuild from scratch leaves the summary
    tables exactly as the upkeep made them."""
    db.session.rollback()  # read what was committed
    everything = sa.select(Village.id)
    for campaign_id in [None, *db.session.scalars(sa.select(Campaign.id))]:
        live = queries.village_coverage(campaign_id, everything)
        kept, counted = _numbers(summaries.village_coverage(campaign_id, everything)), _numbers(live)
        assert kept == counted, {k: (kept.get(k), v) for k, v in counted.items() if kept.get(k) != v}
        by_commune = {}
        for row in live:
            by_commune.setdefault(row.village.commune_id, queries.Coverage()).add(row)
        kept = {r.commune.id: (dict(r.counts), dict(r.youth)) for r in summaries.commune_coverage(campaign_id, everything)}
        assert kept == {k: (dict(v.counts), dict(v.youth)) for k, v in by_commune.items()}
        if campaign_id is not None:
            campaign = db.session.get(Campaign, campaign_id)
            assert summaries.warned_by_day(campaign_id, everything) == queries.warned_by_day(campaign, everything)
            assert (verification.village_rates(campaign_id, everything)
                    == verification.village_rates_recounted(campaign_id, everything))
    before = table_rows()
    rollups.rebuild()
    assert table_rows() == before
    db.session.rollback()


def communes() -> list[Commune]:
    return list(db.session.scalars(sa.select(Commune)))
