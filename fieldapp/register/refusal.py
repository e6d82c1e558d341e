"""The one error a register file gets as a whole (unreadable, wrong kind, wrong coordinate
system): every reader raises it, the page and the command line show its message."""
from __future__ import annotations


class FileRefused(Exception):
    """The file as a whole cannot be imported; `str(exc)` says why, in the user's language."""
