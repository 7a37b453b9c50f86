"""`make bench`: QUALITY.md P1–P5 in one run, one table of ratios, JSON under bench/results/.

  make bench                          # everything (P2 at 10k vs 1M; P5 needs PostgreSQL)
  make bench BENCH_ARGS=--quick       # smoke run: small sizes, 3 s per load
  make bench BENCH_ARGS='--only P1,P3 --seconds 20'

Each measurement is a ratio against a baseline measured in the same run on the same machine,
because absolute figures say more about the machine than about the code. Seeded databases
are cached under bench/results/cache (keyed by size and by the migrations and generator), so a
second run skips the seeding. Exit status 1 when a part could not run (the targets not being
met is what the table reports, not an error).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import p1_feed, p2_flat, p3_pages
from bench.harness import DATASETTE_VERSION, RESULTS, BenchError, Options, Row, ensure_wrk, say

PARTS = ("P1", "P2", "P3", "P4", "P5")


def _options(argv: list[str] | None) -> tuple[Options, set[str], bool]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and 3 s loads: a smoke run"
    )
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts, e.g. P1,P3")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL for P5 (created if missing)")
    parser.add_argument(
        "--seconds", type=float, help="length of each wrk run (default 10, quick 3)"
    )
    parser.add_argument("--rounds", type=int, help="P1 rounds; the median is kept (default 3)")
    parser.add_argument("--connections", type=int, help="wrk connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, help="wrk threads (default 1: two CPUs here)")
    parser.add_argument("--size", type=int, help="actions for P1, P3 and P5's P1 (default 100,000)")
    parser.add_argument("--small", type=int, help="P2's small size (default 10,000)")
    parser.add_argument("--large", type=int, help="P2's large size (default 1,000,000)")
    parser.add_argument("--pg-large", type=int, help="P5's large size (default 100,000)")
    parser.add_argument(
        "--samples", type=int, help="sequential requests per P2 query (default 200)"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the worker during P1")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs)")
    args = parser.parse_args(argv)
    opts = Options.quick_defaults() if args.quick else Options()
    for name, attr in (
        ("seconds", "seconds"),
        ("rounds", "rounds"),
        ("connections", "connections"),
        ("wrk_threads", "wrk_threads"),
        ("small", "p2_small"),
        ("large", "p2_large"),
        ("pg_large", "p5_large"),
        ("samples", "samples"),
    ):
        value = getattr(args, name)
        if value is not None:
            setattr(opts, attr, value)
    if args.size is not None:
        opts.p1_size = opts.p3_size = args.size
    if args.postgres:
        opts.postgres_url = args.postgres
    opts.profile = args.profile
    only = {part.strip().upper() for part in args.only.split(",") if part.strip()}
    unknown = only - set(PARTS)
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    return opts, only, args.keep


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit.startswith("ms"):
        return f"{value:.2f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def table(rows: list[Row]) -> str:
    header = ("id", "measurement", "value", "unit", "baseline", "", "ratio", "target", "met")
    lines: list[tuple[str, ...]] = [header]
    for r in rows:
        met = "–" if r.met is None else ("met" if r.met else "NOT MET")
        ratio = "–" if r.ratio is None else f"{r.ratio:.2f}×"
        lines.append(
            (
                r.id,
                r.what,
                _fmt(r.value, r.unit),
                r.unit,
                _fmt(r.baseline, r.unit),
                r.baseline_label,
                ratio,
                r.target,
                met,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {2, 4, 6}
    out = []
    for n, line in enumerate(lines):
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.id} {r.what.strip()}: {r.note}" for r in rows if r.note and r.met is not True]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def _machine() -> dict[str, Any]:
    wrk = shutil.which("wrk")
    version = ""
    if wrk:
        done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        version = (done.stdout + done.stderr).splitlines()[0] if (done.stdout + done.stderr) else ""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "wrk": version,
        "datasette": DATASETTE_VERSION,
    }


def main(argv: list[str] | None = None) -> int:
    opts, only, keep = _options(argv)
    started = time.time()
    ensure_wrk()
    shutil.rmtree(opts.workdir, ignore_errors=True)
    opts.workdir.mkdir(parents=True)
    rows: list[Row] = []
    figures: dict[str, Any] = {}
    durations: dict[str, float] = {}
    failures: dict[str, str] = {}
    extra: list[str] = []

    def part(name: str, job: Callable[[], tuple[list[Row], dict[str, Any]]]) -> None:
        say(f"=== {name} ===")
        t0 = time.perf_counter()
        try:
            got_rows, got = job()
            rows.extend(got_rows)
            figures[name] = got
        except Exception as exc:  # one part failing must not lose the others' figures
            failures[name] = f"{type(exc).__name__}: {exc}"
            why = str(exc) if isinstance(exc, BenchError) else traceback.format_exc()
            say(f"{name} could not run:\n{why}")
            rows.append(
                Row(
                    name.split()[0],
                    f"{name}: could not run (see notes)",
                    None,
                    "",
                    note=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
                )
            )
        durations[name] = round(time.perf_counter() - t0, 1)
        say(f"{name} took {durations[name]:.0f} s")

    try:
        if only & {"P1", "P4"}:
            part("P1", lambda: p1_feed.run(opts, "sqlite", "P1"))
            extra += p1_feed.profile_lines(figures.get("P1", {}))
        if "P2" in only:
            part("P2", lambda: p2_flat.run(opts, "sqlite", "P2"))
        if "P3" in only:
            part("P3", lambda: p3_pages.run(opts))
        if "P5" in only:
            part("P5 feed", lambda: p1_feed.run(opts, "postgres", "P5"))
            part("P5 flat", lambda: p2_flat.run(opts, "postgres", "P5"))
    finally:
        if keep:
            say(f"working directory kept: {opts.workdir}")
        else:
            shutil.rmtree(opts.workdir, ignore_errors=True)

    seeding = {
        name: {k: v for k, v in got.items() if "seed" in k or k in ("size", "small", "large")}
        for name, got in figures.items()
    }
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
        "machine": _machine(),
        "durations_s": durations,
        "failures": failures,
        "rows": [r.as_dict() for r in rows],
        "figures": figures,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    out = RESULTS / f"{stamp}{'-quick' if opts.quick else ''}.json"
    out.write_text(json.dumps(report, indent=2, default=str))

    print()
    title = "quick smoke run: sizes reduced, not for the record" if opts.quick else "full run"
    print(f"Oversight benchmarks (QUALITY.md P1–P5), {report['started']}, {title}")
    print(
        f"{os.cpu_count()} CPUs; wrk {opts.connections} connections, {opts.seconds:g} s per load "
        f"after {opts.warmup:g} s warm-up; Datasette {DATASETTE_VERSION}"
    )
    reduced = "" if opts.quick else " (QUALITY.md says 1,000,000: reduced by --large)"
    pg_reduced = (
        ""
        if opts.quick or opts.p5_large >= 1_000_000
        else " (not 1,000,000: seeding PostgreSQL through the CLI takes >10 min; --pg-large)"
    )
    print(
        f"sizes: P1/P3 {opts.p1_size:,} actions; P2 {opts.p2_small:,} vs {opts.p2_large:,}"
        + (reduced if opts.p2_large < 1_000_000 else "")
    )
    if "P5" in only:
        print(f"       P5 on PostgreSQL: P2 {opts.p2_small:,} vs {opts.p5_large:,}{pg_reduced}")
    print()
    print(table(rows))
    seeds = []
    for got in seeding.values():
        for key in ("small", "large"):
            if isinstance(got.get(key), dict) and got[key].get("seed_seconds"):
                seeds.append(f"{got[key]['size']:,} in {got[key]['seed_seconds']:.0f} s")
        if got.get("seed_seconds") and got.get("size"):
            seeds.append(f"{got['size']:,} in {got['seed_seconds']:.0f} s")
    if seeds:
        print(
            "\nseeding with `oversight seed-demo --actions N` (when first cached): "
            + "; ".join(dict.fromkeys(seeds))
        )
    print("time per part: " + ", ".join(f"{k} {v:.0f} s" for k, v in durations.items()))
    for line in extra:
        print(line)
    print(f"\nJSON: {out.relative_to(RESULTS.parent.parent)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
