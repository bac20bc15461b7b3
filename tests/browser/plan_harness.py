"""A static harness: frontend/ served under the page's CSP, with a page that draws a plan.

No stack is needed: a tiny local HTTP server serves the frontend's files and one
harness page, whose module imports the map's own modules (plan.js, seatmap.js) and
exposes ``window.harness`` for tests to draw a plan and apply seat changes.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.servers import PROJECT_ROOT

__all__ = ["arena_plan", "serve_harness"]

FRONTEND = PROJECT_ROOT / "frontend"
# The CSP NGINX sends with the page (nginx/nginx.conf.template), without the ws: sources.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HARNESS_HTML = b"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Concert Seat Booking plan harness</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/styles.css">
  <script type="module" src="/harness.js"></script>
</head>
<body>
  <div id="map-viewport" class="map-viewport"><div id="seat-map" class="seat-map"></div></div>
</body>
</html>
"""
HARNESS_JS = b"""
import { readPlan } from '/js/plan.js';
import { SeatMap } from '/js/seatmap.js';

const map = new SeatMap(document.getElementById('seat-map'), { onChoose: () => {} });
window.harness = {
  /** Draw a plan document; the milliseconds from parsing to the first paint after it. */
  async draw(data) {
    const started = performance.now();
    map.draw(readPlan(data));
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    return performance.now() - started;
  },
  render: (venue) => map.render(venue),
  setHolder: (holder) => map.setHolder(holder),
  apply: (update) => map.apply(update),
};
window.harnessReady = true;
"""


class _Handler(SimpleHTTPRequestHandler):
    """Files of frontend/, plus the harness page and module, all under the page's CSP."""

    def do_GET(self) -> None:
        own = {
            "/harness.html": (HARNESS_HTML, "text/html"),
            "/harness.js": (HARNESS_JS, "text/javascript"),
        }
        if self.path in own:
            body, kind = own[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests report what matters."""


@contextmanager
def serve_harness() -> Iterator[str]:
    """Serve the harness on a free local port; yields the harness page's URL."""
    handler = partial(_Handler, directory=str(FRONTEND))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/harness.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def arena_plan(blocks: int = 24, rows: int = 21, seats: int = 40) -> dict[str, Any]:
    """A pretix-format arena: ``blocks`` blocks of curved rows in a ring around a floor."""
    size = 4000
    centre = size / 2
    zones = []
    for block in range(blocks):
        start = 2 * math.pi * block / blocks
        span = 2 * math.pi / blocks * 0.85
        block_rows = []
        for row in range(rows):
            radius = 900 + row * 24
            block_rows.append(
                {
                    "row_number": str(row + 1),
                    "position": {"x": 0, "y": 0},
                    "seats": [
                        {
                            "seat_guid": f"B{block + 1}-{row + 1}-{number + 1}",
                            "seat_number": str(number + 1),
                            "category": "Upper" if row >= rows // 2 else "Lower",
                            "position": {
                                "x": centre + radius * math.cos(start + span * number / seats),
                                "y": centre + radius * math.sin(start + span * number / seats),
                            },
                            "radius": 9,
                        }
                        for number in range(seats)
                    ],
                }
            )
        zones.append(
            {"name": f"Block {block + 1}", "position": {"x": 0, "y": 0}, "rows": block_rows}
        )
    zones[0]["areas"] = [
        {
            "shape": "rectangle",
            "color": "#2b2f5c",
            "position": {"x": centre - 500, "y": centre - 250},
            "rectangle": {"width": 1000, "height": 500},
            "text": {"text": "Stage", "size": 60},
        }
    ]
    return {
        "name": "Test arena",
        "size": {"width": size, "height": size},
        "categories": [
            {"name": "Lower", "color": "#e05a7a"},
            {"name": "Upper", "color": "#3aa3e0"},
        ],
        "zones": zones,
    }


def shipped_plan(name: str) -> dict[str, Any]:
    """The plan the project ships as ``venues/<name>.json``."""
    plan: dict[str, Any] = json.loads((PROJECT_ROOT / "venues" / f"{name}.json").read_text())
    return plan
