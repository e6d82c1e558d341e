"""Searching households by name, house number or phone, without diacritics."""
from __future__ import annotations

import sqlalchemy as sa

from ..register.models import Household
from ..text import fold

MAX_QUERY = 100
MAX_WORDS = 5


def search_words(q: str | None) -> list[str]:
    """The folded words of a query: its first 100 characters, at most 5 words."""
    return fold((q or "")[:MAX_QUERY]).split()[:MAX_WORDS]


def matching(q: str | None) -> sa.ColumnElement[bool]:
    """Households whose search key holds every word of `q`, in any order (all when empty)."""
    return sa.and_(sa.true(), *(Household.search_key.contains(word, autoescape=True)
                                for word in search_words(q)))
