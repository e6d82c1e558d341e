"""Commitment photos: sent after the visit, stored once, shown to who may see personal data,
audited when viewed, refused with a reason, removed by the retention purge."""
from __future__ import annotations

import io
import uuid
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image

from fieldapp.models import AuditEvent, CommitmentPhoto, Visit
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry


def jpeg(width=1200, height=900, colour=(200, 40, 40), exif=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    kwargs = {"exif": Image.Exif()} if exif else {}
    if exif:
        kwargs["exif"][0x010F] = "PhoneMaker"
    image.save(out, "JPEG", quality=80, **kwargs)
    return out.getvalue()


def put(client, visit_id, body: bytes, token=None):
    token = token or client.get("/api/session").get_json()["csrf_token"]
    return client.put(f"/api/visits/{visit_id}/photo", data=body, content_type="image/jpeg",
                      headers={"X-CSRFToken": token})


def _visit(client, auth, village="T01", n=0, username="cskv1"):
    home = households_of(village)[n]
    entry = visit_entry(home.id, campaign_id(), commitment_signed=True)
    auth.login(username)
    assert statuses(send(client, [entry])) == ["created"]
    return home, entry["id"]


def test_a_photo_is_stored_once_and_shown_on_the_household_page(client, auth, db_session):
    home, visit_id = _visit(client, auth)
    body = jpeg()
    first = put(client, visit_id, body)
    assert first.status_code == 201 and first.get_json()["status"] == "created"
    again = put(client, visit_id, body)  # the answer was lost: the phone sends it again
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    other = put(client, visit_id, jpeg(colour=(0, 0, 200)))
    assert other.status_code == 409 and other.get_json()["message"] == "Lượt đến nhà này đã có ảnh."
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(CommitmentPhoto)) == 1
    page = client.get(f"/households/{home.id}").get_data(as_text=True)
    assert page.count(f'data-photo-visit="{visit_id}"') == 1
    image = client.get(f"/photos/{visit_id}.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data == body
    assert "no-store" in image.headers["Cache-Control"]
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "photo_view", AuditEvent.object_id == visit_id)) == 1


def test_large_or_tagged_photos_are_shrunk_and_stripped(client, auth, db_session):
    _home, visit_id = _visit(client, auth, n=1)
    assert put(client, visit_id, jpeg(3000, 2000, exif=True)).status_code == 201
    db_session.rollback()
    photo = db_session.get(CommitmentPhoto, uuid.UUID(visit_id))
    assert (photo.width, photo.height) == (1600, 1067)
    assert not Image.open(io.BytesIO(photo.content)).info.get("exif")


def test_bad_photos_are_refused_with_a_vietnamese_reason_and_the_visit_stays(client, auth, make_app, db_session):
    _home, visit_id = _visit(client, auth, n=2)
    not_image = put(client, visit_id, b"%PDF-1.4 not a photo")
    assert not_image.status_code == 422 and not_image.get_json()["message"] == "Tệp gửi lên không phải là ảnh (JPEG, PNG hoặc WebP)."
    too_big = put(client, visit_id, b"\xff" * (2 * 1024 * 1024 + 10))
    assert too_big.status_code == 413 and too_big.get_json()["message"].startswith("Ảnh lớn hơn 2")
    assert put(client, uuid.uuid4(), jpeg()).status_code == 404
    client.post("/logout", data={"csrf_token": client.get("/api/session").get_json()["csrf_token"]})
    auth.login("antt1")  # same village, not his visit
    not_own = put(client, visit_id, jpeg())
    assert not_own.status_code == 403 and "Chỉ người ghi" in not_own.get_json()["message"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv2")  # another area
    outside = put(client, visit_id, jpeg())
    assert outside.status_code == 404 and outside.get_json()["message"]
    client.post("/logout", data={"csrf_token": auth.token()})
    assert put(client, visit_id, jpeg(), token="x").status_code == 401
    db_session.rollback()
    visit = db_session.get(Visit, uuid.UUID(visit_id))
    assert visit.in_force and visit.commitment_signed
    assert db_session.scalar(sa.select(sa.func.count()).select_from(CommitmentPhoto)) == 0
    auth.login("cskv1")
    assert client.put(f"/api/visits/{visit_id}/photo", data=jpeg(), content_type="image/jpeg",
                      headers={"X-CSRFToken": "forged"}).status_code == 403


def test_roles_without_personal_data_do_not_see_photos(make_app, db_session):
    from tests.conftest import Auth

    app = make_app(PERSONAL_DATA_ROLES=("officer", "commander", "admin"))
    client = app.test_client()
    auth = Auth(client)
    with app.app_context():
        home = households_of("T01")[3]
        entry = visit_entry(home.id, campaign_id())
    auth.login("cskv1")
    send(client, [entry])
    assert put(client, entry["id"], jpeg()).status_code == 201
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("truongthon1")
    assert client.get(f"/photos/{entry['id']}.jpg").status_code == 403
    assert f'data-photo-visit="{entry["id"]}"' not in client.get(f"/households/{home.id}").get_data(as_text=True)


def test_the_retention_purge_removes_photos(client, auth, runner, db_session):
    home, visit_id = _visit(client, auth, n=4)
    put(client, visit_id, jpeg())
    db_session.rollback()
    from fieldapp.models import Household
    from fieldapp.timeutil import utcnow

    old = utcnow() - timedelta(days=4000)
    db_session.execute(sa.update(Visit).where(Visit.household_id == home.id).values(received_at=old))
    db_session.execute(sa.update(Household).where(Household.id == home.id).values(created_at=old, updated_at=old))
    db_session.commit()
    assert runner.invoke(args=["purge", "--yes"]).exit_code == 0
    db_session.rollback()
    assert db_session.get(CommitmentPhoto, uuid.UUID(visit_id)) is None


def test_the_full_form_without_javascript_takes_a_photo(client, auth, db_session):
    home = households_of("T05")[1]
    auth.login("cskv1")
    token = auth.token()
    answer = client.post(f"/households/{home.id}/visits", data={
        "csrf_token": token, "outcome": "warned", "topics": ["tu_co_lap"], "commitment_signed": "y",
        "photo": (io.BytesIO(jpeg()), "camkết.jpg", "image/jpeg")}, content_type="multipart/form-data")
    assert answer.status_code == 302
    db_session.rollback()
    [visit] = db_session.scalars(sa.select(Visit).where(Visit.household_id == home.id, Visit.user_id.isnot(None))
                                 .order_by(Visit.received_at.desc()).limit(1)).all()
    assert db_session.get(CommitmentPhoto, visit.id) is not None


def test_a_photo_may_be_a_larger_body_than_any_other_request(make_app, db_session):
    """MAX_CONTENT_LENGTH bounds every body but a photo's (PHOTO_MAX_BYTES), sent alone or
    with the full form."""
    from tests.conftest import Auth

    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    client = app.test_client()
    auth = Auth(client)
    out = io.BytesIO()
    Image.merge("RGB", [Image.effect_noise((500, 400), 90)] * 3).save(out, "JPEG", quality=95)
    noisy = out.getvalue()
    assert 64 * 1024 < len(noisy) < 2 * 1024 * 1024
    with app.app_context():
        first, second = households_of("T02")[:2]
        entry = visit_entry(first.id, campaign_id())
    auth.login("cskv1")
    send(client, [entry])
    assert put(client, entry["id"], noisy).status_code == 201
    form = client.post(f"/households/{second.id}/visits", data={
        "csrf_token": auth.token(), "outcome": "warned", "topics": ["tu_co_lap"], "commitment_signed": "y",
        "photo": (io.BytesIO(noisy), "anh.jpg", "image/jpeg")}, content_type="multipart/form-data")
    assert form.status_code == 302
    assert auth.post("/language", {"lang": "vi", "pad": "x" * 100_000}).status_code == 413
    with app.app_context():
        from fieldapp.extensions import db

        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitmentPhoto)) == 2
        db.session.remove()
