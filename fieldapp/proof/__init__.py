"""Proof that the door was knocked.

- `checks.py` flags every stored visit (far, no_fix, poor_fix, burst, late_entry,
  odd_hours, each with its figures); `points.py` lets a household without a point learn one
  from a visit's good fix, for the commander to accept or clear.
- `review.py` and the `/proof/` pages: flagged visits grouped by officer and flag, each
  marked fine or a problem by the commander; officers see their own.
- `verification.py`: the weekly random sample of warned households per officer, confirmed,
  denied or unreachable by the commander or the village head, and the verified coverage it
  gives (claimed coverage × the village's confirmation rate).
- `api.py`: `GET /api/visits/<id>`, the visit with its checks and verification.
"""
