"""`worker`: run queued jobs (imports, purges, sweeps) until stopped."""
from __future__ import annotations

import signal

import click
from flask import current_app

from .worker import Worker


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are ready, then exit.")
@click.option("--name", default=None, help="This worker's name (default: host:pid:random).")
def worker_command(once: bool, name: str | None):
    """Run jobs from the database's queue; SIGTERM or Ctrl-C stops after the running job."""
    worker = Worker(current_app._get_current_object(), name)
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    click.echo(f"worker {worker.name} ready", err=True)
    done = worker.run(once=once)
    click.echo(f"worker {worker.name} stopped after {done} jobs", err=True)


COMMANDS = [worker_command]
