"""The default campaign "Không một mình – Cùng nhau an toàn trực tuyến" and its topics."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from .models import Campaign, CampaignTopic, Topic

CAMPAIGN_NAME = "Không một mình – Cùng nhau an toàn trực tuyến"
# The demo's campaign runs around the day it is seeded, so a fresh demo is a live campaign.
DAYS_BEFORE, DAYS_AFTER = 45, 15

# (code, Vietnamese label, English label); codes are stable, labels may be polished.
TOPICS = [
    ("gia_danh_co_quan", "Giả danh công an, viện kiểm sát, tòa án gọi điện, gọi video đe dọa",
     "Fake police, prosecutors or courts calling or video-calling with threats"),
    ("tu_co_lap", "Bị dụ tự cô lập, giữ bí mật, cắt liên lạc với gia đình (\"bắt cóc online\")",
     "Lured into isolating, keeping secrets, cutting off family (\"online kidnapping\")"),
    ("doi_tien_chuoc", "Gia đình bị gọi đòi tiền chuộc: bình tĩnh, gọi con qua nhiều kênh, báo công an",
     "Ransom calls to the family: stay calm, call the child on several channels, tell the police"),
    ("viec_nhe_luong_cao", "Việc nhẹ lương cao, đưa ra nước ngoài, mua bán người",
     "Easy well-paid jobs, trips abroad, human trafficking"),
    ("nhiem_vu_ao", "Cộng tác viên làm nhiệm vụ, đơn hàng ảo, nộp tiền \"đối ứng\"",
     "\"Task\" jobs, fake orders, paying a \"matching\" deposit"),
    ("hoc_bong_gia", "Học bổng, du học giả, \"chứng minh tài chính\"",
     "Fake scholarships and study abroad, \"proof of funds\""),
    ("mao_danh_nguoi_than", "Mạo danh người thân, deepfake gọi video vay tiền",
     "Impersonated relatives, deepfake video calls asking for money"),
    ("link_la_otp", "Link lạ, ứng dụng giả, xin mã OTP, thông tin tài khoản ngân hàng",
     "Strange links, fake apps, requests for OTP codes or bank details"),
    ("tong_tien_anh", "Dụ \"chat sex\", tống tiền bằng ảnh, video nhạy cảm",
     "\"Sex chat\" lures, blackmail with intimate photos or videos"),
    ("thu_thach_mang", "\"Thử thách\", trò chơi trên mạng uy hiếp tinh thần",
     "Online \"challenges\" and games that intimidate"),
    ("ket_ban_nguoi_la", "Kết bạn với người lạ qua Zalo, Facebook, Telegram",
     "Befriending strangers on Zalo, Facebook, Telegram"),
    ("dau_tu_ao", "Đầu tư tài chính ảo, lừa \"lấy lại tiền đã mất\"",
     "Fake investments, \"recover your lost money\" scams"),
]


def ensure_topics() -> list[Topic]:
    """The default topics, created when missing, in their campaign order."""
    existing = {t.code: t for t in db.session.scalars(sa.select(Topic))}
    topics = []
    for code, vi, en in TOPICS:
        topic = existing.get(code) or Topic(code=code, label_vi=vi, label_en=en)
        db.session.add(topic)
        topics.append(topic)
    db.session.flush()
    return topics


def create_default_campaign(commune_id: int | None, around: date) -> Campaign:
    """The default campaign with every topic in its standard package and a leaflet, running
    from DAYS_BEFORE days before `around` to DAYS_AFTER days after it."""
    campaign = Campaign(name=CAMPAIGN_NAME, commune_id=commune_id,
                        starts_on=around - timedelta(days=DAYS_BEFORE),
                        ends_on=around + timedelta(days=DAYS_AFTER))
    campaign.campaign_topics = [CampaignTopic(topic=t, position=i) for i, t in enumerate(ensure_topics())]
    db.session.add(campaign)
    db.session.flush()
    return campaign
