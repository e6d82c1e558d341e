"""The cluster bench's figures: locust's per-kind timings, status codes, visits sent against
visits stored, the import, and how busy the machine was; printed and written to out/."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa

from .common import Result

SYNC = "sync batch"


def _kinds(tmp: Path) -> list[dict]:
    with (tmp / "locust_stats.csv").open() as stats:
        return [row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"]


def _stored(url: str, run: str) -> tuple[set[str], int]:
    """Ids of this run's visits in the database (its devices are `locust-<run>-n`), and how
    many (device, seq) pairs are there more than once (an entry stored twice under two ids)."""
    engine = sa.create_engine(url)
    devices = {"devices": f"locust-{run}-%"}
    with engine.connect() as conn:
        ids = {str(i) for i in conn.scalars(sa.text("SELECT id FROM visits WHERE device_id LIKE :devices"), devices)}
        doubled = conn.scalar(sa.text(
            "SELECT count(*) FROM (SELECT device_id, seq FROM visits WHERE device_id LIKE :devices "
            "GROUP BY device_id, seq HAVING count(*) > 1) d"), devices)
    engine.dispose()
    return ids, doubled


def report(url: str, plan: dict, tmp: Path, elapsed: float, machine: dict, budget: float, out: Path) -> list[Result]:
    summary = json.loads(Path(plan["out"]).read_text())
    kinds = _kinds(tmp)
    stored, doubled = _stored(url, plan["run"])
    sent, acked = set(summary["sent"]), set(summary["acked"])
    fives = {name: sum(n for code, n in codes.items() if code.startswith("5"))
             for name, codes in summary["statuses"].items()}
    visits = {"sent": len(sent), "acknowledged": len(acked), "stored": len(stored),
              "lost (acknowledged, not stored)": len(acked - stored),
              "stored, never sent": len(stored - sent), "doubled": doubled,
              "stored, answer lost": len(stored - acked), "still in outboxes": len(sent - stored)}
    packs = plan.get("packs_before_ms", [])
    figures = {"seconds": round(elapsed), "machine": machine, "visits": visits, "5xx": fives,
               "statuses": summary["statuses"], "import": summary["import"], "kinds": kinds,
               "sync p95 by minute": {m + 1: round(percentile(v, 0.95)) for m, v in _minutes(
                   summary.get("times", {}).get(SYNC, [])).items()},
               "full pack before the peak": {"phones": len(packs), **{
                   f"p{round(q * 100)}": round(percentile(packs, q)) for q in (0.5, 0.95, 0.99)}}}
    out.mkdir(exist_ok=True)
    (out / "cluster.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return _results(kinds, fives, visits, summary["import"], machine, budget, elapsed) + \
        _tail(summary.get("times", {}).get(SYNC, []), budget)


def _tail(times: list[tuple[float, float]], budget: float) -> list[Result]:
    """The sync p95 minute by minute, and after the first minute (the phones starting: every
    one downloads its whole pack once, as a phone does in the morning, not at its evening peak,
    while the import is uploaded). Both beside the whole run's figure, which stays the budget's."""
    if not times:
        return []
    minutes = _minutes(times)
    steady = [ms for at, ms in times if at >= 60]
    per_minute = "; ".join(f"min {m + 1}: p95 {_p95(v):.0f} ms ({len(v)})" for m, v in sorted(minutes.items()))
    return [Result("cluster: sync batch p95 after the first minute", _p95(steady), "ms", None,
                   f"{len(steady)} batches; whole run's p95 is the budget's figure above; {per_minute}")]


def _minutes(times: list[tuple[float, float]]) -> dict[int, list[float]]:
    """{minute of the run (0 the first): [ms, …]} of (s since the start, ms) timings."""
    minutes: dict[int, list[float]] = {}
    for at, ms in times:
        minutes.setdefault(int(at // 60), []).append(ms)
    return minutes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def _p95(values: list[float]) -> float:
    return percentile(values, 0.95)


def _results(kinds, fives, visits, imported, machine, budget, elapsed) -> list[Result]:
    results = []
    for row in kinds:
        p95 = float(row["95%"])
        results.append(Result(
            f"cluster: {row['Name']}, p95", p95, "ms", budget if row["Name"] == SYNC else None,
            f"{float(row['Requests/s']):.1f}/s; p50 {row['50%']} p99 {row['99%']} ms; "
            f"{row['Request Count']} requests, {row['Failure Count']} failed"))
    total = sum(int(r["Request Count"]) for r in kinds)
    results.append(Result("cluster: requests per second (all kinds)", total / elapsed, "/s", None,
                          f"{total} requests in {elapsed:.0f} s"))
    results.append(Result("cluster: 5xx answers", sum(fives.values()), "", 0,
                          ", ".join(f"{k} {v}" for k, v in fives.items() if v) or "none"))
    results.append(Result("cluster: visits lost or doubled",
                          visits["lost (acknowledged, not stored)"] + visits["doubled"] + visits["stored, never sent"],
                          "", 0, "; ".join(f"{k} {v}" for k, v in visits.items())))
    took = (imported.get("finished_at", 0) - imported.get("uploaded_at", 0)) if imported.get("finished_at") else 0
    results.append(Result("cluster: register import during the load", took, "s", None,
                          f"status {imported.get('status', 'unfinished')}"))
    results.append(Result("cluster: machine CPU busy (all processes)", machine["busy_pct"], "%", None,
                          f"{machine['cpus']} CPUs; the bench's processes {machine['ours_pct']:.0f} %, "
                          f"others {machine['others_pct']:.0f} %; "
                          + "".join(f"{k} {v:.0f} %; " for k, v in machine.get("groups_pct", {}).items())
                          + f"load avg {machine['load_avg']:.1f} "
                          f"(max {machine['load_max']:.1f})"))
    return results
