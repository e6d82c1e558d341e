"""Run every bench/b_*.py module and print one table of results against the budgets."""
from __future__ import annotations

import importlib
import json
import logging
import sys
import tempfile
from pathlib import Path

from .common import OUT

logging.disable(logging.WARNING)


def main(argv: list[str]) -> int:
    only = set(argv)
    modules = sorted(p.stem for p in Path(__file__).parent.glob("b_*.py"))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in modules:
            if only and name not in only:
                continue
            module = importlib.import_module(f"bench.{name}")
            print(f"== {name}: {module.__doc__.strip().splitlines()[0]}", flush=True)
            for result in module.run(Path(tmp)):
                mark = {True: "ok", False: "OVER", None: ""}[result.ok]
                budget = f"≤ {result.budget:g} {result.unit}" if result.budget is not None else ""
                print(f"   {result.name:<52} {result.value:>10.1f} {result.unit:<6} {budget:<14} {mark} {result.note}")
                results.append(result.as_dict())
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    over = [r for r in results if r["ok"] is False]
    print(f"{len(results)} measurements, {len(over)} over budget; written to {OUT / 'results.json'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
