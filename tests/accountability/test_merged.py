"""Merged households: a visit addressed to one (an old offline pack, a stale page) is recorded
on the survivor, through every hop of a chain of merges, and its audit event keeps the
household addressed; merged households leave the pack and the village list; the survivor's
verdict counts the visits moved to it."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fieldapp.accountability.queries import assess
from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Household, Incident
from fieldapp.households import services
from tests.helpers import households_of, visits_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry

from .visits import add_visit

HX = {"HX-Request": "true"}


def never_visited(code: str, at_least: int) -> list[Household]:
    """Households never visited of `code`, or of the next village that has `at_least`."""
    start = int(code[1:])
    return next(unvisited for n in [*range(start, 32), *range(1, start)]
                if len(unvisited := [h for h in households_of(f"T{n:02d}") if not visits_of(h.id)]) >= at_least)


def chain(code: str = "T01", at_least: int = 3) -> tuple[Household, Household, Household]:
    """first → second → survivor: two merges, so the first one is two hops away."""
    first, second, survivor = never_visited(code, at_least)[:3]
    services.merge(first, second)
    services.merge(second, survivor)
    db.session.commit()
    return first, second, survivor


def event_of(visit_id) -> AuditEvent:
    db.session.rollback()
    [event] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "visit_create", AuditEvent.object_id == str(visit_id)))
    return event


def test_a_synced_visit_for_a_merged_household_goes_to_the_survivor(client, auth, db_session):
    first, second, survivor = chain()
    entries = [visit_entry(first.id, campaign_id(), seq=1), visit_entry(second.id, campaign_id(), seq=2)]
    auth.login("cskv1")
    assert statuses(send(client, entries)) == ["created", "created"]
    assert visits_of(first.id) == [] and visits_of(second.id) == []
    assert {str(v.id) for v in visits_of(survivor.id)} == {e["id"] for e in entries}
    assert event_of(entries[0]["id"]).detail["merged_from"] == str(first.id)
    assert event_of(entries[1]["id"]).detail == {"household": str(survivor.id), "campaign": campaign_id(),
                                                 "outcome": "warned", "merged_from": str(second.id)}
    assert statuses(send(client, entries)) == ["duplicate", "duplicate"]


def test_a_tap_or_form_from_a_stale_page_goes_to_the_survivor(client, auth, db_session):
    first, _second, survivor = chain("T02")
    auth.login("cskv1")
    response = auth.post(f"/households/{first.id}/quick", {"outcome": "warned"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-household-id="{survivor.id}"' in html and "st-warned" in html
    [tapped] = visits_of(survivor.id)
    assert event_of(tapped.id).detail["merged_from"] == str(first.id)
    form = auth.post(f"/households/{first.id}/visits", {"outcome": "nobody_home"})
    # back to the list at the next house after the survivor
    assert form.status_code == 302 and form.headers["Location"].startswith(f"/villages/{survivor.village_id}#h-")
    assert len(visits_of(survivor.id)) == 2 and visits_of(first.id) == []


def test_merged_households_leave_the_pack_and_the_village_list(client, auth, db_session):
    first, second, survivor = chain("T03", at_least=4)
    moved = never_visited(survivor.village.code, 4)[3]
    services.set_status(moved, "moved")
    db.session.commit()
    auth.login("cskv1")
    pack = client.get("/api/me/pack").get_json()
    rows = {h["id"]: h for v in pack["villages"] for h in v["households"]}
    assert str(first.id) not in rows and str(second.id) not in rows and str(survivor.id) in rows
    assert rows[str(moved.id)]["status"] == "excluded" and rows[str(moved.id)]["household_status"] == "moved"
    page = client.get(f"/villages/{survivor.village_id}").get_data(as_text=True)
    assert f'data-household-id="{first.id}"' not in page and f'data-household-id="{second.id}"' not in page
    assert f'data-household-id="{survivor.id}"' in page
    assert f'id="h-{moved.id}" data-household-id="{moved.id}" class="st-excluded"' in page


def test_the_survivors_verdict_counts_the_visits_moved_to_it(client, auth, db_session):
    duplicate, survivor = [h for h in households_of("T04") if not visits_of(h.id)][:2]
    visit = add_visit(duplicate, "cskv1", "warned", "2025-11-10 09:00")
    assert assess(survivor, date(2025, 11, 12)).status == "not_visited"
    services.merge(duplicate, survivor)
    db.session.commit()
    db.session.expire_all()
    found = assess(db.session.get(Household, survivor.id), date(2025, 11, 12))
    assert found.status == "warned" and [v.id for v in found.warned_visits] == [visit.id]
    auth.login("chihuy")
    body = client.get(f"/api/households/{survivor.id}/warned?as_of=2025-11-12").get_json()
    assert body["warned"] is True and [v["id"] for v in body["visits"]] == [str(visit.id)]


def test_incident_search_leaves_merged_households_out_and_matches_words_in_any_order(client, auth, db_session):
    first, second, survivor = chain("T03")
    auth.login("chihuy")

    def found(q: str) -> str:
        return client.get("/incidents/new", query_string={"q": q}).get_data(as_text=True)

    assert f"/incidents/new/{first.id}" not in found(first.head_name)
    assert f"/incidents/new/{second.id}" not in found(second.head_name)
    words = survivor.head_name.split()
    assert f"/incidents/new/{survivor.id}" in found(" ".join(reversed(words)))


def test_an_incident_for_a_merged_household_is_recorded_on_the_survivor(client, auth, db_session):
    first, _second, survivor = chain("T04")
    auth.login("chihuy")
    page = client.get(f"/incidents/new/{first.id}").get_data(as_text=True)
    assert survivor.head_name in page
    response = auth.post(f"/incidents/new/{first.id}", {"occurred_on": "2025-11-20", "kind": "online_kidnapping",
                                                        "loss_vnd": "", "victim_age": "17", "note": ""})
    assert response.status_code == 302
    db.session.rollback()
    assert len(db.session.scalars(sa.select(Incident).where(Incident.household_id == survivor.id)).all()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Incident)
                             .where(Incident.household_id == first.id)) == 0

