"""The menu: features add their entries here from their own routes module; who sees an
entry is whoever its view's permission lets in (`auth.permissions`)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for

from .auth.permissions import may_open


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy gettext string
    order: int = 50


_ITEMS: list[NavItem] = []


def add(endpoint: str, label, order: int = 50) -> None:
    """Offer `endpoint` in the menu to the users its view's permission lets in."""
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, order))


def sections_for(user) -> list[list[tuple[str, object]]]:
    """The menu in groups: field work (order < 40), incidents (40s), register data (50s),
    administration (60s), the access log (70 and up); empty groups left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    sections: dict[int, list] = {}
    for item in sorted((i for i in _ITEMS if may_open(user, i.endpoint)), key=lambda i: i.order):
        sections.setdefault(max(item.order // 10, 3), []).append((url_for(item.endpoint), item.label))
    return list(sections.values())


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_sections"] = sections_for
