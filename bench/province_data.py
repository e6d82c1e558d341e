"""A province in a throwaway PostgreSQL database, generated server-side for `b_province`.

100 communes × 30 villages, 1,000,000 households (2 % moved, 0.5 % merged), 3 officers and
a village head per village, a commander per commune and an admin; one province-wide campaign
(commune_id NULL, marked active, started 20 days ago) and an older campaign per commune.
About 2 million visits: 0–3 per household in the province campaign, 0–1 in the old one;
earlier attempts mostly nobody home or refused, the last one mostly warned (some moved away);
3 % no longer in force (2 % withdrawn, 1 % corrected). Warned visits carry a topic, most a
leaflet; 5 % of visits name a companion. Everything is INSERT … SELECT from generate_series
(no Python loops), so it takes minutes, not hours.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

COMMUNES = 100
VILLAGES_PER_COMMUNE = 30
HOUSEHOLDS = 1_000_000
OFFICERS_PER_VILLAGE = 3
PASSWORD = "demo1234"

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLES = ("Văn", "Thị", "Minh", "Hữu", "Đức")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quang",
         "Sơn", "Tâm", "Thảo", "Trung", "Vy")

_PLACES = """
INSERT INTO communes (code, name, province)
SELECT 'X' || lpad(c::text, 3, '0'), 'Xã số ' || c, 'Tỉnh Bench' FROM generate_series(1, :communes) c;
INSERT INTO villages (commune_id, code, name, lat, lon)
SELECT m.id, 'T' || lpad(v::text, 2, '0'), 'Thôn ' || v,
       14.0 + (m.id % 10) * 0.1 + v * 0.003, 108.0 + (m.id / 10) * 0.1 + v * 0.003
FROM communes m CROSS JOIN generate_series(1, :villages) v ORDER BY m.id, v;
INSERT INTO users (username, full_name, role, title, commune_id, password_hash, locale, active, created_at)
SELECT 'admin', 'Quản trị tỉnh', 'admin', 'Quản trị hệ thống', NULL, :pw, 'vi', true, now()
UNION ALL
SELECT 'chihuy' || m.id, 'Chỉ huy xã ' || m.id, 'commander', 'Trưởng Công an xã', m.id, :pw, 'vi', true, now()
FROM communes m;
INSERT INTO users (username, full_name, role, title, commune_id, password_hash, locale, active, created_at)
SELECT CASE WHEN k = 0 THEN 'truongthon' || v.id ELSE 'cb' || v.id || '_' || k END,
       'Người ' || v.id || '.' || k, CASE WHEN k = 0 THEN 'village_head' ELSE 'officer' END,
       CASE WHEN k = 0 THEN 'Trưởng thôn' ELSE 'Tổ bảo vệ ANTT' END, v.commune_id, :pw, 'vi', true, now()
FROM villages v CROSS JOIN generate_series(0, :officers) k ORDER BY v.id, k;
INSERT INTO assignments (user_id, village_id, starts_on, created_at)
SELECT u.id, v.id, :assigned, now() FROM users u
JOIN villages v ON v.id = substring(u.username from '[0-9]+')::int
WHERE u.role IN ('officer', 'village_head');
"""

_HOUSEHOLDS = """
INSERT INTO households (id, village_id, code, head_name, address, phone, members, youth, lat, lon,
                        status, search_key, sort_key, source, created_at, updated_at)
SELECT gen_random_uuid(), s.vid, s.k::text, s.sur || ' ' || s.mid || ' ' || s.giv,
       'Số ' || s.k || ', ' || s.vname, '09' || lpad((floor(s.r1 * 100000000))::int::text, 8, '0'),
       s.members, least(s.members, floor(s.r2 * 3)::int), s.lat + s.r3 * 0.01, s.lon + s.r4 * 0.01,
       CASE WHEN s.r5 < 0.02 THEN 'moved' WHEN s.r5 < 0.025 THEN 'merged' ELSE 'active' END,
       lower(s.k || ' ' || s.sur_a || ' ' || s.mid_a || ' ' || s.giv_a),
       lower(s.giv_a || ' ' || s.sur_a || ' ' || s.mid_a || ' ' || s.giv_a), 'register', now(), now()
FROM (
  SELECT v.id AS vid, v.name AS vname, v.lat, v.lon, n.k, 1 + floor(random() * 6)::int AS members,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
         (CAST(:sur AS text[]))[1 + (n.k * 7 + v.id) % 10] AS sur, (CAST(:sur_a AS text[]))[1 + (n.k * 7 + v.id) % 10] AS sur_a,
         (CAST(:mid AS text[]))[1 + (n.k / 3) % 5] AS mid, (CAST(:mid_a AS text[]))[1 + (n.k / 3) % 5] AS mid_a,
         (CAST(:giv AS text[]))[1 + (n.k * 11 + v.id / 7) % 16] AS giv, (CAST(:giv_a AS text[]))[1 + (n.k * 11 + v.id / 7) % 16] AS giv_a
  FROM (SELECT id, name, lat, lon, row_number() OVER (ORDER BY id) - 1 AS idx FROM villages) v
  CROSS JOIN LATERAL generate_series(1, :per + CASE WHEN v.idx < :rest THEN 1 ELSE 0 END) n(k)
) s
"""

# {campaign} is the campaign id expression, {visits} the number of visits per household.
_VISITS = """
WITH team AS (SELECT a.village_id, array_agg(a.user_id ORDER BY a.user_id) AS ids
              FROM assignments a JOIN users u ON u.id = a.user_id AND u.role = 'officer'
              GROUP BY a.village_id)
INSERT INTO visits (id, household_id, campaign_id, user_id, outcome, recorded_at, recorded_offset_min,
                    received_at, device_id, people_reached, youth_reached, commitment_signed, note,
                    replaced_at, replaced_reason)
SELECT gen_random_uuid(), s.hid, s.cid, t.ids[1 + floor(s.r1 * array_length(t.ids, 1))::int], s.outcome,
       s.at, 420, s.at + interval '4 minutes', 'bench',
       CASE WHEN s.outcome = 'warned' THEN 1 + floor(s.r1 * 4)::int ELSE 0 END,
       CASE WHEN s.outcome = 'warned' THEN least(s.youth, 1) ELSE 0 END,
       s.outcome = 'warned' AND s.r3 < 0.4, '',
       CASE WHEN s.r4 < 0.02 THEN s.at + interval '20 seconds' WHEN s.r4 < 0.03 THEN s.at + interval '1 hour' END,
       CASE WHEN s.r4 < 0.02 THEN 'withdrawn' WHEN s.r4 < 0.03 THEN 'corrected' END
FROM (
  SELECT h.hid, h.vid, h.youth, h.cid, r1, r3, r4,
         CASE WHEN n.i = h.n THEN (CASE WHEN r2 < 0.75 THEN 'warned' WHEN r2 < 0.9 THEN 'nobody_home'
                                        WHEN r2 < 0.95 THEN 'refused' ELSE 'moved_away' END)
              ELSE (CASE WHEN r2 < 0.8 THEN 'nobody_home' ELSE 'refused' END) END AS outcome,
         h.starts + ((n.i - 1) * 5 + floor(r3 * 4)::int) * interval '1 day'
                  + floor(r1 * 24) * interval '30 minutes' AS at
  FROM (SELECT hh.id AS hid, hh.village_id AS vid, hh.youth, c.id AS cid,
               c.starts_on::timestamp AS starts, {visits} AS n
        FROM households hh JOIN villages v ON v.id = hh.village_id
        JOIN campaigns c ON {campaign}) h
  CROSS JOIN LATERAL generate_series(1, h.n) n(i)
  CROSS JOIN LATERAL (SELECT random() + n.i * 0 AS r1, random() + n.i * 0 AS r2,
                             random() + n.i * 0 AS r3, random() + n.i * 0 AS r4) r
) s JOIN team t ON t.village_id = s.vid
"""

_EXTRAS = """
INSERT INTO visit_topics (visit_id, topic_code)
SELECT v.id, t.code FROM visits v
JOIN campaign_topics ct ON ct.campaign_id = v.campaign_id AND ct.position = 0
JOIN topics t ON t.id = ct.topic_id WHERE v.outcome = 'warned';
INSERT INTO visit_materials (visit_id, code)
SELECT id, 'leaflet' FROM visits WHERE outcome = 'warned' AND people_reached >= 2;
INSERT INTO visit_companions (visit_id, user_id)
SELECT v.id, (SELECT min(a.user_id) FROM assignments a JOIN users u ON u.id = a.user_id
              WHERE a.village_id = h.village_id AND u.role = 'officer' AND a.user_id <> v.user_id)
FROM visits v JOIN households h ON h.id = v.household_id
WHERE get_byte(uuid_send(v.id), 0) < 13;
"""


def _script(conn, script: str, **params) -> None:
    for statement in filter(str.strip, script.split(";\n")):
        conn.execute(sa.text(statement), params)


def generate(today) -> dict:
    """Fill the migrated, empty database of the current app context; returns row counts and
    the ids the bench needs (province campaign, a commune, its campaign, one of its villages)."""
    from werkzeug.security import generate_password_hash

    from fieldapp.campaigns.defaults import ensure_topics
    from fieldapp.extensions import db, refresh_statistics
    from fieldapp.models import Campaign, CampaignTopic
    from fieldapp.text import fold

    conn = db.session.connection()
    conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
    conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    conn.execute(sa.text("SELECT setseed(0.42)"))
    _script(conn, _PLACES, communes=COMMUNES, villages=VILLAGES_PER_COMMUNE, officers=OFFICERS_PER_VILLAGE,
            pw=generate_password_hash(PASSWORD), assigned=today - timedelta(days=400))
    villages = COMMUNES * VILLAGES_PER_COMMUNE
    conn.execute(sa.text(_HOUSEHOLDS), {
        "per": HOUSEHOLDS // villages, "rest": HOUSEHOLDS % villages,
        "sur": list(SURNAMES), "sur_a": [fold(s) for s in SURNAMES], "mid": list(MIDDLES),
        "mid_a": [fold(s) for s in MIDDLES], "giv": list(GIVEN), "giv_a": [fold(s) for s in GIVEN]})
    topics = ensure_topics()

    def campaign(name, commune_id, starts, ends):
        return Campaign(name=name, commune_id=commune_id, starts_on=starts, ends_on=ends,
                        campaign_topics=[CampaignTopic(topic=t, position=i) for i, t in enumerate(topics)])

    province = campaign("Đợt cao điểm toàn tỉnh", None, today - timedelta(days=20),
                        today + timedelta(days=20))
    communes = [c for (c,) in conn.execute(sa.text("SELECT id FROM communes ORDER BY id"))]
    db.session.add_all([province] + [campaign(f"Đợt xã {c} đầu năm", c, today - timedelta(days=200),
                                              today - timedelta(days=160)) for c in communes])
    db.session.flush()
    conn.execute(sa.text(_VISITS.format(
        campaign="c.id = :cid",
        visits="CASE WHEN random() < 0.15 THEN 0 WHEN random() < 0.53 THEN 1 "
               "WHEN random() < 0.75 THEN 2 ELSE 3 END")), {"cid": province.id})
    conn.execute(sa.text(_VISITS.format(
        campaign="c.commune_id = v.commune_id", visits="CASE WHEN random() < 0.4 THEN 0 ELSE 1 END")))
    _script(conn, _EXTRAS)
    refresh_statistics()
    conn.execute(sa.text("ANALYZE"))
    counts = {name: conn.scalar(sa.text(f"SELECT count(*) FROM {name}")) for name in (
        "communes", "villages", "households", "users", "campaigns", "visits", "visit_topics",
        "visit_materials", "visit_companions")}
    counts["visits in force"] = conn.scalar(sa.text("SELECT count(*) FROM visits WHERE replaced_at IS NULL"))
    commune_id = communes[0]
    ids = {"province_campaign": province.id, "commune": commune_id,
           "commune_campaign": db.session.scalar(sa.select(Campaign.id).where(Campaign.commune_id == commune_id)),
           "village": conn.scalar(sa.text("SELECT min(id) FROM villages WHERE commune_id = :c"), {"c": commune_id})}
    db.session.commit()
    return {"counts": counts, "ids": ids}


def vacuum() -> None:
    """VACUUM ANALYZE, as autovacuum does some time after a bulk load: sets the visibility map
    (index-only scans) and hint bits, so the bench times a settled database, not the first
    reads after the load (which rewrite every page)."""
    from fieldapp.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")
