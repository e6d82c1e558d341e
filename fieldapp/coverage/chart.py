"""Geometry of the server-rendered SVG chart "households warned per day" (no chart library)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 30, 34, 10, 22


@dataclass
class Bar:
    day: date
    value: int
    x: float
    y: float
    w: float
    h: float


@dataclass
class Chart:
    bars: list[Bar]
    line: str  # polyline points of the running total (right axis)
    peak: int  # left axis top (daily)
    total: int  # right axis top (running total)
    ticks: list[tuple[float, date]]  # x positions of date labels
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def plot_right(self) -> int:
        return self.width - self.right


def build(days: list[tuple[date, int]], until: date | None = None) -> Chart | None:
    """Bars of daily values and a line of their running total up to `until` (the days after
    it, still to come, get no line), scaled into the plot area."""
    if not days:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(days)
    peak = max(max(v for _, v in days), 1)
    total = max(sum(v for _, v in days), 1)
    bars, points, running = [], [], 0
    for i, (day, value) in enumerate(days):
        h = plot_h * value / peak
        x = LEFT + i * step
        bars.append(Bar(day, value, round(x + step * 0.12, 1), round(TOP + plot_h - h, 1),
                        round(max(step * 0.76, 1), 1), round(h, 1)))
        running += value
        if until is None or day <= until:
            points.append(f"{x + step / 2:.1f},{TOP + plot_h - plot_h * running / total:.1f}")
    every = max(1, -(-len(days) // 4))
    ticks = [(round(LEFT + i * step + step / 2, 1), days[i][0]) for i in range(0, len(days), every)]
    return Chart(bars, " ".join(points), peak, running, ticks)
