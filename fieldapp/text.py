"""Vietnamese text helpers: NFC storage, diacritic-free search keys, phone numbers."""
from __future__ import annotations

import re
import unicodedata

_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$")


def strip_controls(value: str | None, keep_newlines: bool = False) -> str | None:
    """Text without control characters (NUL and friends), which no field should hold."""
    if not value or value.isprintable():  # fast path: printable text has no control characters
        return value
    keep = "\n\t" if keep_newlines else ""
    return "".join(ch for ch in value if ch in keep or unicodedata.category(ch) != "Cc")


def nfc(value: str | None) -> str:
    """Trimmed, single-spaced, NFC-normalised text without control characters ('' for None)."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFC", strip_controls(value)).split())


def fold(value: str | None) -> str:
    """Lower-case text without diacritics, đ/Đ → d: 'Nguyễn Văn Đức' → 'nguyen van duc'."""
    text = unicodedata.normalize("NFD", nfc(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()


def given_name_key(full_name: str) -> str:
    """Sort key by given name (the last word), then the whole name, as Vietnamese lists sort."""
    folded = fold(full_name)
    return f"{folded.rsplit(' ', 1)[-1]} {folded}"


def normalise_phone(value: str | None) -> str | None:
    """'+84 905 123 456' → '0905123456'; None when empty; ValueError when not a mobile number."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if not digits:
        return None
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _PHONE.match(digits):
        raise ValueError(digits)
    return digits


def natural_key(text: str) -> list:
    """'antt2' before 'antt10', house '2' before '10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
