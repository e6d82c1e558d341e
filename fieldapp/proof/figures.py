"""A check's figures told in words (the checks' codes and labels are in `fieldapp.labels`)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..i18n import number


def _m(value) -> str:
    return number(round(value)) + " m"


def describe(code: str, figures: dict) -> str:
    """One check's figures in words, e.g. "612 m from the house (fix ±12 m, limit 162 m)"."""
    f = figures or {}
    if code == "far":
        return _("%(d)s from the house (fix ±%(a)s, limit %(l)s)", d=_m(f["distance_m"]),
                 a=_m(f.get("accuracy_m") or 0), l=_m(f["limit_m"]))
    if code == "poor_fix":
        return _("fix ±%(a)s (limit %(l)s)", a=_m(f["accuracy_m"]), l=_m(f["limit_m"]))
    if code == "burst":
        parts = []
        if "speed_kmh" in f:
            parts.append(_("%(d)s in %(s)s s since the visit before or after: %(v)s km/h",
                           d=_m(f["distance_m"]), s=number(f["seconds"]), v=number(f["speed_kmh"], 1)))
        if "per_minute" in f:
            parts.append(_("%(n)s warnings within one minute", n=number(f["per_minute"])))
        return "; ".join(parts)
    if code == "late_entry":
        return _("entered %(h)s h after the visit (limit %(l)s h)", h=number(f["hours"], 1), l=number(f["limit_h"]))
    if code == "odd_hours":
        return _("recorded at %(t)s, Vietnam time", t=f["local_time"])
    return ""
