"""P3 pages: server time of the main pages against a static file of the same bytes, both from
the same server, signed in with a session cookie.

Where the static file comes from: the server is started with OVERSIGHT_NODE_MODULES pointing at
a temporary overlay of node_modules (a symlink to each real package, except htmx.org whose
small dist/ is copied), and each page's own HTML is written into that copy as
bench-<page>.html. It is then served by the app's own StaticFiles mount (/static/htmx/…)
through the whole middleware stack, so the baseline is "the same bytes from the same server",
and nothing is ever written into the repository (web/static stays untouched, even if the run
is killed). The assets served are the same files, so the pages render as they would.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import ROOT, BenchError, Options, Row, Servers, at_most, oversight_server, say
from bench.measure import p50_pair
from bench.seeding import database_for, signed_in_client

OVERLAID = "htmx.org"
STATIC_PREFIX = "/static/htmx"  # api/app.py mounts node_modules/htmx.org/dist there
PAGES = [
    ("Home", "/"),
    ("Actions list (filtered)", "/actions?status=open&owner_org=force"),
    ("Plan overview", "/plans/{plan}"),
    ("Force inbox", "/force-inbox"),
    ("Engagements", "/engagements"),
    ("Engagement coverage", "/engagements/coverage"),
    ("Complaint review KPIs", "/complaint-reviews/kpis"),
]


def node_modules_overlay(parent: Path) -> tuple[Path, Path]:
    """(overlay directory for OVERSIGHT_NODE_MODULES, directory its static files go in)."""
    real = Path(os.environ.get("OVERSIGHT_NODE_MODULES") or ROOT / "node_modules").resolve()
    if not (real / OVERLAID / "dist").is_dir():
        raise BenchError(f"{real / OVERLAID / 'dist'} is missing: run `make install`")
    overlay = Path(tempfile.mkdtemp(prefix="node_modules-", dir=parent))
    for entry in real.iterdir():
        if entry.name != OVERLAID:
            (overlay / entry.name).symlink_to(entry)
    static = overlay / OVERLAID / "dist"
    shutil.copytree(
        real / OVERLAID / "dist", static
    )  # real files: StaticFiles will not follow links out
    return overlay, static


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def run(opts: Options) -> tuple[list[Row], dict[str, Any]]:
    seeded = database_for("sqlite", opts.p3_size, opts, name="p3")
    overlay, static_dir = node_modules_overlay(opts.workdir)
    figures: dict[str, Any] = {"size": opts.p3_size, "pages": {}}
    rows: list[Row] = []
    size = f"{opts.p3_size // 1000}k"
    with Servers() as servers:
        app = servers.start(
            oversight_server(
                seeded.url, opts.workdir, name="P3-oversight", OVERSIGHT_NODE_MODULES=str(overlay)
            )
        )
        with contextlib.closing(signed_in_client(seeded.url, app.base_url)) as client:
            plans = client.get("/plans")
            found = re.search(r'href="/plans/(\d+)"', plans.text)
            plan = found.group(1) if found else "1"
            for label, template in PAGES:
                path = template.format(plan=plan)
                first = client.get(path)
                if first.status_code == 404:
                    say(f"P3: {path} answers 404: skipped")
                    figures["pages"][label] = {"path": path, "status": 404}
                    rows.append(
                        Row(
                            "P3",
                            f"{label} ({path})",
                            None,
                            "ms p50",
                            target="≤ 4×",
                            note="404: not built yet, skipped",
                        )
                    )
                    continue
                if first.status_code != 200:
                    raise BenchError(
                        f"P3: GET {path} answered {first.status_code}:\n"
                        f"{first.text[:500]}\n{app.log_tail()}"
                    )
                name = f"bench-{_slug(label)}.html"
                (static_dir / name).write_bytes(first.content)
                static_path = f"{STATIC_PREFIX}/{name}"
                say(f"P3: {label} {path} ({len(first.content):,} bytes) vs {static_path}")
                page, static = p50_pair((client, path), (client, static_path), opts.p3_samples)
                if static["bytes"] != page["bytes"]:
                    say(f"P3: {label}: static {static['bytes']} bytes vs page {page['bytes']}")
                ratio, met = at_most(page["p50_ms"], static["p50_ms"], 4.0)
                figures["pages"][label] = {"path": path, "page": page, "static": static}
                rows.append(
                    Row(
                        id="P3",
                        what=f"{label} ({path}), SQLite {size}",
                        value=page["p50_ms"],
                        unit="ms p50",
                        baseline=static["p50_ms"],
                        baseline_label=f"static {page['bytes'] // 1024} KiB",
                        ratio=ratio,
                        target="≤ 4×",
                        met=met,
                    )
                )
    shutil.rmtree(overlay, ignore_errors=True)
    return rows, figures
