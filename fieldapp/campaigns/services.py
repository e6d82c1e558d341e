"""Campaigns: which one is running, and the writes behind the campaigns pages (create, topics
and their order, the active mark); the re-warning query.

A topic added to a running campaign carries `added_on`; households already warned in the
campaign but never on that topic (no visit in force covering it) need a re-warning.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..accountability import audit
from ..extensions import db
from ..households.models import Household
from ..timeutil import today_vn
from ..visits.models import Visit, VisitTopic
from .models import Campaign, CampaignTopic, Topic


def current_of(campaigns: list[Campaign], today: date) -> Campaign | None:
    """The campaign a commune's pages show: the one marked active, else the latest-starting one
    whose dates include today, else the one that ended last (so pages never go blank between
    campaigns). `campaigns` are the commune's own and the national ones."""
    def latest(found, day):
        return max(found, key=lambda c: (day(c), c.id), default=None)

    return (latest([c for c in campaigns if c.is_active], lambda c: c.starts_on)
            or latest([c for c in campaigns if c.starts_on <= today <= c.ends_on], lambda c: c.starts_on)
            or latest(campaigns, lambda c: c.ends_on))


def active_campaign(commune_id: int | None) -> Campaign | None:
    """The current campaign of a commune (`current_of`); 1 query."""
    return current_campaigns([commune_id]).get(commune_id)


def current_campaigns(commune_ids: list[int | None]) -> dict[int | None, Campaign | None]:
    """{commune id: its current campaign (`current_of`)} for many communes at once; 1 query."""
    found = db.session.scalars(sa.select(Campaign).where(
        sa.or_(Campaign.commune_id.in_([c for c in commune_ids if c is not None]), Campaign.commune_id.is_(None)))).all()
    national = [c for c in found if c.commune_id is None]
    today = today_vn()
    return {commune_id: current_of([c for c in found if c.commune_id == commune_id and commune_id is not None]
                                   + national, today) for commune_id in commune_ids}


def get_campaign(campaign_id: int, commune_id: int | None) -> Campaign | None:
    return db.session.scalar(
        sa.select(Campaign).where(
            Campaign.id == campaign_id,
            sa.or_(Campaign.commune_id == commune_id, Campaign.commune_id.is_(None)),
        )
    )


def all_topics() -> list[Topic]:
    return db.session.scalars(sa.select(Topic).order_by(Topic.id)).all()


def create_campaign(name: str, starts_on: date, ends_on: date, topic_codes: list[str],
                    commune_id: int | None, is_active: bool = False) -> Campaign:
    """A campaign whose topics keep the order of `topic_codes`."""
    topics = {t.code: t for t in all_topics()}
    campaign = Campaign(name=name, starts_on=starts_on, ends_on=ends_on, commune_id=commune_id)
    campaign.campaign_topics = [CampaignTopic(topic_id=topics[c].id, position=n)
                                for n, c in enumerate(topic_codes)]
    db.session.add(campaign)
    db.session.flush()
    if is_active:
        make_active(campaign)
    audit.record("campaign_create", "campaign", campaign.id, topics=topic_codes)
    return campaign


def make_active(campaign: Campaign) -> None:
    """Mark this campaign the active one of its commune (others lose the mark)."""
    db.session.execute(sa.update(Campaign).where(Campaign.commune_id == campaign.commune_id, Campaign.id != campaign.id)
                       .values(is_active=False))
    campaign.is_active = True
    db.session.flush()
    audit.record("campaign_activate", "campaign", campaign.id)


def add_topic(campaign: Campaign, topic: Topic, today: date) -> CampaignTopic:
    """Add a topic at the end; dated when the campaign has already started."""
    position = max((ct.position for ct in campaign.campaign_topics), default=-1) + 1
    link = CampaignTopic(topic_id=topic.id, position=position,
                         added_on=today if today > campaign.starts_on else None)
    campaign.campaign_topics.append(link)
    db.session.flush()
    audit.record("campaign_topic_add", "campaign", campaign.id, topic=topic.code)
    return link


def move_topic(campaign: Campaign, topic_id: int, step: int) -> None:
    """Swap a topic with its neighbour (step -1 up, +1 down); ValueError for a topic not in
    the campaign."""
    links = list(campaign.campaign_topics)
    index = next((i for i, ct in enumerate(links) if ct.topic_id == topic_id), None)
    if index is None:
        raise ValueError("topic not in the campaign")
    other = index + step
    if 0 <= other < len(links):
        links[index].position, links[other].position = links[other].position, links[index].position
        db.session.flush()
        audit.record("campaign_topic_move", "campaign", campaign.id, topic_id=topic_id, step=step)


def rewarn_where(campaign_id: int, topic_code: str):
    """SQL condition on Household: warned in the campaign, but never on `topic_code`."""
    in_force = sa.and_(Visit.campaign_id == campaign_id, Visit.replaced_at.is_(None))
    warned = sa.select(Visit.household_id).where(in_force, Visit.outcome == "warned")
    covered = (sa.select(Visit.household_id).join(VisitTopic, VisitTopic.visit_id == Visit.id)
               .where(in_force, VisitTopic.topic_code == topic_code))
    return sa.and_(Household.id.in_(warned), Household.id.not_in(covered), Household.status == "active")


def rewarn_counts(campaign: Campaign, village_ids: sa.Select) -> dict[str, int]:
    """{topic code: households needing a re-warning} for topics added mid-campaign."""
    counts = {}
    for link in campaign.campaign_topics:
        if link.added_on:
            counts[link.topic.code] = db.session.scalar(sa.select(sa.func.count(Household.id)).where(
                rewarn_where(campaign.id, link.topic.code), Household.village_id.in_(village_ids)))
    return counts


def rewarn_households(campaign: Campaign, topic_code: str, area, limit: int = 1000) -> list[Household]:
    """The households matching `area` (a condition on Household) that need a re-warning on
    the topic, by village and name, with their village loaded; 1 query."""
    return db.session.scalars(
        sa.select(Household).where(rewarn_where(campaign.id, topic_code), area)
        .options(joinedload(Household.village))
        .order_by(Household.village_id, Household.sort_key).limit(limit)).all()
