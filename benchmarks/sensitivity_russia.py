"""Time ``goldenbridge sensitivity russia-2021`` (all parts, defaults), stage by stage.

Run ``python benchmarks/sensitivity_russia.py [--repeats R]``. Prints one line per
stage and a final JSON object with the wall-clock seconds of each stage and in
all, the machine's CPU count and its load average when the run started (the
figure in docs/sensitivity.md comes from here). Timings, not results: the
numbers themselves are fixed by the seed.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import goldenbridge as gb


def run() -> dict[str, float]:
    """One full run with the command's defaults; seconds per stage and in all."""
    scenario = gb.load("russia-2021")
    marks: dict[str, list[float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(stage, [now, now])[1] = now

    start = time.perf_counter()
    gb.sensitivity(scenario, progress=progress)
    total = time.perf_counter() - start
    # a stage runs from the end of the previous one (its first report comes after one step)
    seconds, previous = {}, start
    for stage, (_, end) in sorted(marks.items(), key=lambda kv: kv[1][1]):
        seconds[stage] = end - previous
        previous = end
    seconds["other (sampling, value of information)"] = total - sum(seconds.values())
    seconds["total"] = total
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    gb.sensitivity("russia-2021", n=64, samples=500, parts=("flips",))  # compile the kernels
    best: dict[str, float] = {}
    for _ in range(args.repeats):
        seconds = run()
        if not best or seconds["total"] < best["total"]:
            best = seconds
    for stage, s in best.items():
        print(f"{stage:<40} {s:7.1f} s")
    print(json.dumps({"cpus": os.cpu_count(), "load_average": load, "seconds": best}))


if __name__ == "__main__":
    main()
