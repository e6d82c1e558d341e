"""Command line: each feature lists its commands in `COMMANDS`; they are added here."""
from __future__ import annotations

from importlib import import_module

from flask import Flask

COMMAND_MODULES = ("auth.cli", "demo.cli", "register.cli", "accountability.cli", "proof.cli", "jobs.cli",
                   "backup.cli")


def init_app(app: Flask) -> None:
    for name in COMMAND_MODULES:
        try:
            module = import_module(f"fieldapp.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"fieldapp.{name}":
                raise
            continue
        for command in module.COMMANDS:
            app.cli.add_command(command)
