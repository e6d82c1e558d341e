"""What the visits module tells others, with nothing to import but blinker: the summaries
(`coverage.rollups`) listen here without importing `visits.services` (which would make a
circle through the register)."""
from __future__ import annotations

from blinker import Namespace

# Sent with `visits=[row, ...]` (the column values of the visits just inserted) by the one
# place visits are written, `visits.services.store_visits`: summaries and receipt-time
# checks connect here.
visits_stored = Namespace().signal("visits-stored")
