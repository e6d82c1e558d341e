"""What the header and footer of an administrative document say (Decree 30/2020/NĐ-CP,
Appendix I): the parent body and the issuing body, the document number and symbol, place
and date, the national name and motto, the recipients ("Nơi nhận") and the signer's title
and name. The .docx writer (`reports.docx`) and the printable page (`reports/_letterhead.html`)
both draw from a `Letterhead`, so the printed and the Word report carry the same header.
Any report of the app (campaign results, an incident verdict) builds one here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import User
from ..extensions import db

# Fixed legal wording (Decree 30/2020, Appendix I, section II): never translated.
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS = "Nơi nhận:"
KINDS = ("Xã ", "Phường ", "Đặc khu ", "Thành phố ", "Tỉnh ")


@dataclass
class Letterhead:
    parent: str  # cơ quan chủ quản, upper case
    issuer: str  # cơ quan ban hành, upper case
    symbol: str  # "BC-CAX": the number is written in by the clerk ("Số:     /BC-CAX")
    place: str  # "An Phú"
    on: date
    signer_title: str  # "TRƯỞNG CÔNG AN XÃ"
    signer_name: str
    recipients: list[str] = field(default_factory=list)

    national_name = NATIONAL_NAME
    motto = MOTTO
    recipients_label = RECIPIENTS

    @property
    def number(self) -> str:
        return f"Số:      /{self.symbol}"

    @property
    def place_date(self) -> str:
        return f"{self.place}, ngày {self.on.day:02d} tháng {self.on.month:02d} năm {self.on.year}"


def bare(name: str) -> str:
    """'Xã An Phú' → 'An Phú', 'Thành phố Huế' → 'Huế': a place name for "…, ngày …"."""
    for kind in KINDS:
        if name.startswith(kind):
            return name[len(kind):]
    return name


def _upper(text: str) -> str:
    return text.upper()


def _commander(commune_id: int) -> User | None:
    return db.session.scalar(sa.select(User).where(User.commune_id == commune_id, User.role == "commander",
                                                   User.active).order_by(User.id))


def for_commune(commune, on: date) -> Letterhead:
    """A commune police's report: under the provincial police, signed by its head, sent up
    to the province through PA05 (as the source orders say)."""
    chief = _commander(commune.id)
    return Letterhead(
        parent=_upper(_("Police of %(unit)s", unit=commune.province.in_sentence)) if commune.province else "",
        issuer=_upper(_("Police of %(unit)s", unit=commune.in_sentence)), symbol="BC-CAX",
        place=bare(commune.name), on=on,
        signer_title=_upper(chief.title if chief and chief.title else _("Head of commune police")),
        signer_name=chief.display_name if chief else "",
        recipients=[_("Provincial police (through PA05) (for report);"),
                    _("Party committee and People's Committee of the commune (for report);"), _("Archive: office.")])


def for_province(province, user: User, on: date) -> Letterhead:
    """The province's summary, issued by PA05 of the provincial police."""
    return Letterhead(
        parent=_upper(_("Police of %(unit)s", unit=province.in_sentence)),
        issuer=_upper(_("Cybersecurity and high-tech crime prevention division")), symbol="BC-PA05",
        place=bare(province.name), on=on,
        signer_title=_upper(user.title or _("Head of division")), signer_name=user.display_name,
        recipients=[_("Director's board of the provincial police (for report);"),
                    _("Department of Cybersecurity and High-tech Crime Prevention, A05 (for report);"),
                    _("Police of the communes and wards;"), _("Archive: office, PA05.")])


def blank(on: date) -> Letterhead:
    """Room for the issuing body to write itself in (an admin's report across communes)."""
    dots = "…………………"
    return Letterhead(parent="", issuer=dots, symbol="BC", place=dots, on=on, signer_title=dots, signer_name="")
