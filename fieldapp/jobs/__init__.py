"""Durable jobs in the database: long work (imports, purges, sweeps) queued by any app server
and run by `flask --app fieldapp worker` processes, on SQLite and PostgreSQL alike.

A feature with long work has a `tasks.py` whose functions are registered with
`services.task`; every process imports them (`load_tasks`), so a server can queue what a
worker runs."""
from __future__ import annotations

from importlib import import_module


def load_tasks(features: tuple[str, ...]) -> None:
    for name in ("jobs", *features):
        try:
            import_module(f"fieldapp.{name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"fieldapp.{name}.tasks":
                raise
