"""Campaigns: which one is current (the one rule every page, pack, export and report uses),
and the writes behind the campaigns pages (create, topics and their order, the standard
package, closing); the re-warning query.

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
from ..labels import MATERIALS
from ..timeutil import today_vn, utcnow
from ..visits.models import Visit, VisitTopic
from .models import Campaign, CampaignTopic, Topic


def _in_commune(commune_id: int | None):
    return sa.or_(Campaign.commune_id == commune_id, Campaign.commune_id.is_(None))


def pick(query: sa.Select) -> Campaign | None:
    """The current one among the campaigns `query` selects: a running one (the latest to
    start), else the latest to end (ended or closed: its results stay on the pages until
    the next starts), else the next to start."""
    today = today_vn()
    running = sa.and_(Campaign.includes(today), Campaign.closed_at.is_(None))
    ended = sa.or_(Campaign.ends_on < today, Campaign.closed_at.is_not(None))
    rank = sa.case((running, 0), (ended, 1), else_=2)
    return db.session.scalar(query.order_by(
        rank,
        sa.case((running, Campaign.starts_on)).desc(),
        sa.case((ended, Campaign.ends_on)).desc(),
        Campaign.starts_on, Campaign.id.desc()).limit(1))


def current_campaign(user=None, *, commune_id: int | None = None) -> Campaign | None:
    """The current campaign of a commune (`commune_id`, e.g. a village's), else of the
    user's commune; an admin without one gets the only commune's, or, with several
    communes, the current one among them all. None when there is no campaign."""
    from ..register.services import commune_or_only

    if commune_id is None and user is not None:
        commune_id = commune_or_only(user.commune_id)
    query = sa.select(Campaign)
    if commune_id is not None:
        query = query.where(_in_commune(commune_id))
    elif user is not None and user.role != "admin":
        query = query.where(Campaign.commune_id.is_(None))
    return pick(query)


def get_campaign(campaign_id: int, commune_id: int | None) -> Campaign | None:
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.id == campaign_id, _in_commune(commune_id)))


def all_topics() -> list[Topic]:
    return db.session.scalars(sa.select(Topic).order_by(Topic.id)).all()


def create_campaign(name: str, starts_on: date, ends_on: date, topic_codes: list[str],
                    commune_id: int | None) -> Campaign:
    """A campaign whose topics keep the order of `topic_codes`, all in its standard package
    with a leaflet (edited later on the campaign page)."""
    topics = {t.code: t for t in all_topics()}
    campaign = Campaign(name=name, starts_on=starts_on, ends_on=ends_on, commune_id=commune_id)
    campaign.campaign_topics = [CampaignTopic(topic_id=topics[c].id, position=n)
                                for n, c in enumerate(topic_codes)]
    db.session.add(campaign)
    db.session.flush()
    audit.record("campaign_create", "campaign", campaign.id, topics=topic_codes)
    return campaign


def set_standard(campaign: Campaign, topic_codes: list[str], materials: list[str]) -> None:
    """What the one-tap "Đã cảnh báo" records from now on: these topics (of the campaign's)
    and materials. Visits already recorded keep what they recorded."""
    chosen = set(topic_codes)
    for link in campaign.campaign_topics:
        link.in_standard = link.topic.code in chosen
    campaign.standard_materials = [m for m in MATERIALS if m in set(materials)]
    db.session.flush()
    audit.record("campaign_standard", "campaign", campaign.id, **campaign.standard)


def close(campaign: Campaign, user) -> None:
    """Close an ended campaign: its record is final, no visit, correction or withdrawal is
    accepted any more. The caller checks that it has ended."""
    campaign.closed_at, campaign.closed_by_id = utcnow(), user.id
    db.session.flush()
    audit.record("campaign_close", "campaign", campaign.id)


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
    in_force = Visit.counted_in(campaign_id)
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
