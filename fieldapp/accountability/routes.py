"""Accountability pages."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accountability", __name__, url_prefix="/accountability")
