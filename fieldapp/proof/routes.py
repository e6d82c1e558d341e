"""The proof pages (/proof/…) and `GET /api/visits/<id>`."""
from __future__ import annotations

from flask import Blueprint

from . import api

bp = Blueprint("proof", __name__, url_prefix="/proof")


@bp.record_once
def _register_api(state) -> None:
    state.app.register_blueprint(api.bp, name="proof_api")
