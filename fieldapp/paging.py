"""Pages of long lists: `?page=N` read strictly, shown by templates/_pager.html.

A malformed page number (`?page=x`, `?page=0`) answers 400 and a page past the last one 404,
each with a message — never a 500 and never a silently different page.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import abort, request
from flask_babel import gettext as _

from .extensions import db


@dataclass
class Page:
    """One page of `total` items; the attribute names follow Flask-SQLAlchemy's Pagination."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first(self) -> int:
        """1-based number of the first item shown (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def page_number() -> int:
    """The requested page (1 without `?page=`); 400 unless it is a whole number from 1."""
    raw = request.args.get("page", "1").strip()
    if not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        abort(400, _("The page number must be a whole number from 1."))
    return int(raw)


def page_url(number: int) -> str:
    """This page's address with `?page=number`, keeping the query string's other arguments
    (filters); a path, never a URL built from the arguments (they are the user's input)."""
    args = [("page", number)] + [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return f"{request.script_root}{request.path}?{urlencode(args)}"


def _check(number: int, total: int, per_page: int) -> None:
    if number > max(1, math.ceil(total / per_page)):
        abort(404, _("There is no page %(n)s: the list has fewer rows.", n=number))


def of_list(items: Sequence[Any], per_page: int) -> Page:
    """The requested page of an already loaded list."""
    number = page_number()
    _check(number, len(items), per_page)
    start = (number - 1) * per_page
    return Page(list(items[start:start + per_page]), number, per_page, len(items))


def of_select(query: sa.Select, per_page: int, *, scalars: bool = True) -> Page:
    """The requested page of a SELECT: one COUNT, then LIMIT/OFFSET (keep an ORDER BY on it).
    Items are the first column's objects, or whole rows with `scalars=False`."""
    number = page_number()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    _check(number, total, per_page)
    paged = query.limit(per_page).offset((number - 1) * per_page)
    result = db.session.scalars(paged).unique() if scalars else db.session.execute(paged)
    return Page(list(result), number, per_page, total)
