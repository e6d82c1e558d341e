"""Realistic demo register data for An Phú (Quảng Ngãi): names, addresses, phones, points.

Pure functions of a `random.Random`, so the same seed gives the same commune.
"""
from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass

CENTRE = (15.1, 108.8)  # lat, lon
# Family names with their approximate share in Vietnam, Quảng Ngãi flavour (Huỳnh, Võ).
FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Huỳnh", 3.5), ("Hoàng", 1.5),
          ("Phan", 4.5), ("Võ", 3), ("Vũ", 0.9), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3),
          ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đoàn", 0.8), ("Trương", 0.8), ("Lương", 0.5),
          ("Đinh", 0.6), ("Mai", 0.4), ("Cao", 0.5), ("Lâm", 0.4), ("Tạ", 0.3), ("Châu", 0.3)]
MIDDLE_M = [("Văn", 55), ("Minh", 9), ("Đức", 7), ("Quang", 6), ("Hữu", 7), ("Công", 6), ("Thanh", 5), ("Ngọc", 5)]
MIDDLE_F = [("Thị", 70), ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Kim", 5), ("Mỹ", 5)]
GIVEN_M = ("Hùng Dũng Tuấn Minh Nam Long Phúc Tài Sơn Hải Quang Bình Cường Đức Thắng Trung Vinh "
           "Hiếu Khoa Lộc Toàn Hòa Thành Phong Tâm Kiên Nghĩa Tùng Hưng Khánh Lâm Thịnh Tín Trí "
           "Bảo Duy Đạt Hậu Lợi Nhân Sang Thái Tuấn Anh").split()
GIVEN_F = ("Mai Lan Hoa Hương Linh Trang Thảo Hạnh Nga Yến Loan Phượng Tuyết Hằng Nhung Ngọc Vy "
           "Diễm Hà Thủy Liên Dung Hồng Oanh Nhi Trinh Vân Xuân Thư Nhàn Duyên Huyền Quyên Tâm "
           "Thu Sương Bích Cúc Đào My").split()
VILLAGE_NAMES = ("An Phú", "Phú Long", "Tân Hòa", "Long Bình", "Thạnh Mỹ", "Xuân Yên", "Trung An",
                 "Đông Thành", "Tây Sơn", "Mỹ Khê", "Phú Hòa", "An Lộc", "Tân Phước", "Hòa Bình",
                 "Long Phụng", "Thạnh Đức", "Xuân Phổ", "Trung Thành", "Đông Yên", "Tây An",
                 "Mỹ Trang", "Phú Thọ", "An Hải", "Tân Lập", "Hòa Vinh", "Long Thạnh", "Thạnh Lợi",
                 "Xuân Hòa", "Trung Sơn", "Đông Phước", "Tây Phú")
PHONE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070",
                  "076", "077", "078", "079", "081", "083", "084", "085", "086", "088", "089",
                  "090", "091", "093", "094", "096", "097", "098", "099")
METRES_PER_DEG_LAT = 111_320.0
DUPLICATE_SHARE = 0.006  # households registered twice: a few dozen in the commune


@dataclass(frozen=True)
class DemoVillage:
    code: str
    name: str
    lat: float
    lon: float
    boundary: list[tuple[float, float]]  # closed counter-clockwise ring of (lon, lat)


@dataclass(frozen=True)
class DemoHousehold:
    code: str
    head_name: str
    address: str
    phone: str | None
    members: int
    youth: int
    lat: float
    lon: float


def _weighted(rng: random.Random, table) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / METRES_PER_DEG_LAT,
            lon + east_m / (METRES_PER_DEG_LAT * math.cos(math.radians(lat))))


def person_name(rng: random.Random, gender: str | None = None) -> str:
    """A full Vietnamese name (family, middle, given), NFC; heads are ~70% men."""
    gender = gender or ("m" if rng.random() < 0.7 else "f")
    male = gender == "m"
    parts = [_weighted(rng, FAMILY), _weighted(rng, MIDDLE_M if male else MIDDLE_F)]
    if not male and rng.random() < 0.12:
        parts.append(rng.choice(("Thu", "Ngọc", "Kim", "Mỹ", "Bích")))
    parts.append(rng.choice(GIVEN_M if male else GIVEN_F))
    return unicodedata.normalize("NFC", " ".join(parts))


def child_name(rng: random.Random, head_name: str) -> str:
    """A young person of the household: the head's family name, their own middle and given."""
    family = head_name.split()[0]
    return " ".join([family, *person_name(rng, rng.choice("mf")).split()[1:]])


def phone_number(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def villages(rng: random.Random, count: int = 31) -> list[DemoVillage]:
    """Villages on a jittered ~1.3 km grid around the commune centre, each with a polygon."""
    cols = math.ceil(math.sqrt(count))
    result = []
    for i in range(count):
        row, col = divmod(i, cols)
        north = (row - (cols - 1) / 2) * 1300 + rng.uniform(-150, 150)
        east = (col - (cols - 1) / 2) * 1300 + rng.uniform(-150, 150)
        lat, lon = _offset(*CENTRE, north, east)
        name = VILLAGE_NAMES[i % len(VILLAGE_NAMES)] + (f" {i // len(VILLAGE_NAMES) + 1}" if i >= len(VILLAGE_NAMES) else "")
        result.append(DemoVillage(f"T{i + 1:02d}", f"Thôn {name}", round(lat, 6), round(lon, 6),
                                  _ring(rng, lat, lon)))
    return result


def _ring(rng: random.Random, lat: float, lon: float) -> list[tuple[float, float]]:
    """An irregular polygon of 8–12 vertices, radius 350–600 m, counter-clockwise."""
    n = rng.randint(8, 12)
    ring = []
    for k in range(n):  # increasing angle = counter-clockwise in (lon, lat)
        angle = 2 * math.pi * k / n
        radius = rng.uniform(350, 600)
        p_lat, p_lon = _offset(lat, lon, radius * math.sin(angle), radius * math.cos(angle))
        ring.append((round(p_lon, 6), round(p_lat, 6)))
    return ring + [ring[0]]


def _fresh_name(rng: random.Random, used: set[str]) -> str:
    """A head's name not yet used in the village (a few tries): namesakes exist, but a
    register of 200 households rarely holds the same full name twice."""
    name = person_name(rng)
    for _ in range(8):
        if _folded(name) not in used:
            break
        name = person_name(rng)
    used.add(_folded(name))
    return name


def _folded(name: str) -> str:
    """A name as search and the duplicate check read it: no diacritics, đ → d, lower case."""
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in plain if unicodedata.category(ch) != "Mn").lower()


def misspelt(rng: random.Random, name: str) -> str:
    """The same name as a second clerk might type it: without diacritics, or a given name
    with a letter dropped."""
    if rng.random() < 0.5:
        return " ".join(word.capitalize() for word in _folded(name).split())
    *rest, given = name.split()
    return " ".join([*rest, given[:-1] if len(given) > 2 else given + "h"])


def registered_twice(rng: random.Random, home: DemoHousehold, code: str) -> DemoHousehold:
    """A household entered a second time (another list, another clerk): the same family at
    the same door, its name spelt the same or not, its phone kept or lost."""
    lat, lon = _offset(home.lat, home.lon, rng.uniform(-6, 6), rng.uniform(-6, 6))
    return DemoHousehold(
        code=code, head_name=home.head_name if rng.random() < 0.4 else misspelt(rng, home.head_name),
        address=home.address, phone=home.phone if rng.random() < 0.7 else None,
        members=max(1, home.members + rng.choice((-1, 0, 0, 1))), youth=min(home.youth, 1),
        lat=round(lat, 6), lon=round(lon, 6))


def households(rng: random.Random, village: DemoVillage, count: int) -> list[DemoHousehold]:
    """`count` households numbered 1..count, along a few alleys (ngõ/hẻm) of the village,
    and about one in 170 registered twice (numbered after them): the likely duplicates."""
    result = _households(rng, village, count)
    twice = [h for h in result if rng.random() < DUPLICATE_SHARE]
    return result + [registered_twice(rng, h, str(count + n)) for n, h in enumerate(twice, 1)]


def _households(rng: random.Random, village: DemoVillage, count: int) -> list[DemoHousehold]:
    alleys = max(2, count // 25)
    word = rng.choice(("ngõ", "hẻm"))
    result, used = [], set()
    for number in range(1, count + 1):
        alley = rng.randint(1, alleys)
        # Houses of one alley lie along a line through the village at the alley's angle.
        angle = math.pi * alley / alleys
        along = rng.uniform(-300, 300)
        north = along * math.sin(angle) + rng.gauss(0, 25)
        east = along * math.cos(angle) + rng.gauss(0, 25)
        lat, lon = _offset(village.lat, village.lon, north, east)
        members = min(8, max(1, round(rng.gauss(4, 1.5))))
        youth = 0 if rng.random() < 0.6 else min(members, rng.choice((1, 1, 1, 2, 2, 3)))
        address = f"Số {number}, {word} {alley}" if rng.random() < 0.85 else f"Số {number}"
        result.append(DemoHousehold(
            code=str(number), head_name=_fresh_name(rng, used), address=address,
            phone=phone_number(rng) if rng.random() < 0.6 else None,
            members=members, youth=youth, lat=round(lat, 6), lon=round(lon, 6)))
    return result


if __name__ == "__main__":
    r = random.Random(1)
    v = villages(r)
    for h in households(r, v[0], 5):
        print(v[0].code, v[0].name, h)
