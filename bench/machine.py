"""How busy the machine was during a bench: all CPUs, and the share of the bench's processes.

Reads /proc (Linux): total busy time from /proc/stat, and the user+system time of the given
processes and all their descendants (gunicorn's workers, PostgreSQL backends are found by the
caller with `more`)."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_total() -> tuple[float, float]:
    """(busy, all) seconds of every CPU since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICK, sum(fields) / TICK


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _cpu_of(pid: int) -> float | None:
    """User + system CPU seconds of a process; None once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


class CpuSampler:
    """Samples every `period` seconds in a thread; `stop()` returns the averages."""

    def __init__(self, pids: list[int], period: float = 2.0, more=lambda: (), name: str = "servers",
                 more_name: str = "database"):
        """`pids`: processes to count with their descendants (as `name`); `more()`: further
        pids found at each sample (the database's backends serving the bench, as `more_name`).
        `add()` counts more processes under a name of their own (the load generator)."""
        self.roots, self.period, self.more = set(pids), period, more
        self.names = dict.fromkeys(pids, name)  # root pid → the group its CPU is reported under
        self.more_name = more_name
        self.seen: dict[int, tuple[float, float]] = {}  # pid → (first, last) CPU seconds
        self.samples: list[float] = []
        self.group_of: dict[int, str] = {}
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self.start_total = _cpu_total()
        self.started = time.monotonic()
        self._thread.start()

    def _loop(self) -> None:
        last = _cpu_total()
        while not self._stop.wait(self.period):
            now = _cpu_total()
            self.samples.append((now[0] - last[0]) / max(now[1] - last[1], 1e-9))
            self.loads.append(os.getloadavg()[0])
            last = now
            self._note_ours()

    def _note_ours(self) -> None:
        try:
            for pid in self.more():
                self.roots.add(pid)
                self.names.setdefault(pid, self.more_name)
        except Exception:  # the database briefly unreachable: count the backends next time
            pass
        tree, todo, ours = _children(), [(pid, self.names.get(pid, "others")) for pid in self.roots], {}
        while todo:
            pid, name = todo.pop()
            if pid not in ours:
                ours[pid] = name
                todo += [(child, name) for child in tree.get(pid, [])]
        for pid, name in ours.items():
            cpu = _cpu_of(pid)
            if cpu is None:  # ended since the last sample: keep what it had used then
                continue
            first = self.seen.get(pid, (cpu, cpu))[0]
            self.seen[pid] = (first, cpu)
            self.group_of[pid] = name

    def add(self, pid: int, name: str) -> None:
        """Count a process started after `start()` (all its CPU time) as `name`."""
        self.roots.add(pid)
        self.names[pid] = name
        self.seen[pid] = (0.0, 0.0)

    def stop(self) -> dict:
        self._note_ours()
        self._stop.set()
        self._thread.join(self.period * 2)
        wall = time.monotonic() - self.started
        end = _cpu_total()
        cpus = os.cpu_count() or 1
        busy = (end[0] - self.start_total[0]) / max(end[1] - self.start_total[1], 1e-9)
        ours = sum(last - first for first, last in self.seen.values()) / (wall * cpus)
        groups: dict[str, float] = {}
        for pid, (first, last) in self.seen.items():
            name = self.group_of.get(pid, "others")
            groups[name] = groups.get(name, 0.0) + 100 * (last - first) / (wall * cpus)
        return {"cpus": cpus, "busy_pct": 100 * busy, "ours_pct": 100 * ours, "groups_pct": groups,
                "others_pct": max(0.0, 100 * (busy - ours)),
                "peak_busy_pct": 100 * max(self.samples, default=busy),
                "load_avg": sum(self.loads) / len(self.loads) if self.loads else os.getloadavg()[0],
                "load_max": max(self.loads, default=os.getloadavg()[0])}
