"""Render ``nginx/nginx.conf.template`` into a config NGINX can run, for any edge list.

    python nginx/render.py --http-port 80 --booking 127.0.0.1:8080 \\
        --edges 127.0.0.1:3000,127.0.0.1:3001 --frontend frontend \\
        --run-dir run --log-dir logs --out run/nginx.conf

then ``nginx -c run/nginx.conf -p run -e stderr -g 'daemon off;'``; NGINX keeps its
pid file and temp paths in ``run/nginx/`` and logs to ``logs/nginx-*.log``.

Only the template's own ``${NAME}`` placeholders are replaced, so NGINX's ``$variables``
stay as they are (a bare ``envsubst`` would blank them); a placeholder this module does
not know is an error, as is an address or path that could break the config's syntax.
Paths become absolute. The log directory and RUN_DIR/nginx/ (pid file and temp paths)
are created, since NGINX needs them before it can start. ``--docker`` writes
``nginx/docker.conf``, the same template rendered for docker compose.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DOCKER_LAYOUT", "TEMPLATE", "Layout", "main", "render"]

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
HEADER = (
    "# Rendered by nginx/render.py from nginx/nginx.conf.template, whose notes follow:\n"
    "# edit the template and render again rather than editing this file.\n"
)

_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
_ADDRESS = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$")
_RATE = re.compile(r"^[1-9][0-9]*r/[sm]$")
# Paths are quoted in the template; these would still end the string or start a variable.
_UNSAFE_PATH = re.compile(r"[\"'$\\{};\x00-\x1f]")


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Where everything is: the port, the upstreams and the directories.

    ``log_dir`` None sends the error log to stderr and the access log to stdout.
    """

    http_port: int
    booking: str
    edges: tuple[str, ...]
    frontend_dir: Path
    run_dir: Path
    log_dir: Path | None
    api_rate: str = "20r/s"
    api_burst: int = 40
    status_rate: str = "5r/s"
    status_burst: int = 20
    ws_connections: int = 20

    def __post_init__(self) -> None:
        if not 1 <= self.http_port <= 65535:
            raise ValueError(f"HTTP port must be 1-65535, got {self.http_port}")
        if not self.edges:
            raise ValueError("at least one edge server is needed")
        for address in (self.booking, *self.edges):
            if not _ADDRESS.match(address):
                raise ValueError(f"not a host:port address: {address!r}")
        if len(set(self.edges)) != len(self.edges):
            raise ValueError("an edge server is listed twice")
        if not _RATE.match(self.api_rate):
            raise ValueError(f"API rate must look like 20r/s or 600r/m, got {self.api_rate!r}")
        if self.api_burst < 0:
            raise ValueError(f"API burst must be >= 0, got {self.api_burst}")
        if not _RATE.match(self.status_rate):
            raise ValueError(f"status rate must look like 5r/s or 300r/m, got {self.status_rate!r}")
        if self.status_burst < 0:
            raise ValueError(f"status burst must be >= 0, got {self.status_burst}")
        if self.ws_connections < 1:
            raise ValueError(f"WebSockets per client must be >= 1, got {self.ws_connections}")
        for path in (self.frontend_dir, self.run_dir, self.log_dir):
            if path is not None and _UNSAFE_PATH.search(str(path)):
                raise ValueError(f"path has a character NGINX would misread: {str(path)!r}")


# docker compose: upstreams by service name, the official image's html and cache
# directories (/var/cache/nginx exists there), logs to the container's output. `edge`
# names every container of the scaled edge service: NGINX resolves it to all of their
# addresses when it loads the config (`nginx -s reload` after scaling).
DOCKER_LAYOUT = Layout(
    http_port=80,
    booking="booking-service:8080",
    edges=("edge:3000",),
    frontend_dir=Path("/usr/share/nginx/html"),
    run_dir=Path("/var/cache"),
    log_dir=None,
)
DOCKER_CONF = Path(__file__).with_name("docker.conf")


def edge_upstreams(edges: Sequence[str]) -> str:
    """The ``server`` lines of the edges' upstream block."""
    return "\n        ".join(f"server {edge} max_fails=1 fail_timeout=3s;" for edge in edges)


def edge_stats_locations(edges: Sequence[str]) -> str:
    """One internal location per edge, proxying to that edge's ``/stats``."""
    blocks = [
        f"location = /internal/edge-stats/{number} {{\n"
        f"            internal;\n"
        f"            proxy_pass http://{edge}/stats;\n"
        f"            proxy_connect_timeout 1s;\n"
        f"            proxy_read_timeout 2s;\n"
        f'            proxy_set_header Accept-Encoding "";\n'
        f"            proxy_intercept_errors on;\n"
        f"        }}"
        for number, edge in enumerate(edges, start=1)
    ]
    return "\n\n        ".join(blocks)


def edge_stats_ssi(edges: Sequence[str]) -> str:
    """The SSI document ``/stats`` serves: one include per edge, with a stub if it fails."""
    stub = '<!--# block name="unavailable" -->{"error": "unavailable"}<!--# endblock -->'
    entries = ", ".join(
        f'"{edge}": <!--# include virtual="/internal/edge-stats/{number}" stub="unavailable" -->'
        for number, edge in enumerate(edges, start=1)
    )
    return f'{stub}{{"edges": {{{entries}}}}}\\n'


def placeholders(layout: Layout) -> dict[str, str]:
    """Every placeholder of the template and its value for ``layout``."""
    log_dir = layout.log_dir
    return {
        "HTTP_PORT": str(layout.http_port),
        "FRONTEND_DIR": str(layout.frontend_dir),
        "BOOKING_UPSTREAM": layout.booking,
        "EDGE_UPSTREAMS": edge_upstreams(layout.edges),
        "EDGE_STATS_SSI": edge_stats_ssi(layout.edges),
        "EDGE_STATS_LOCATIONS": edge_stats_locations(layout.edges),
        "API_RATE": layout.api_rate,
        "API_BURST": str(layout.api_burst),
        "STATUS_RATE": layout.status_rate,
        "STATUS_BURST": str(layout.status_burst),
        "WS_CONNECTIONS": str(layout.ws_connections),
        "RUN_DIR": str(layout.run_dir),
        "ERROR_LOG": "stderr" if log_dir is None else str(log_dir / "nginx-error.log"),
        "ACCESS_LOG": "/dev/stdout" if log_dir is None else str(log_dir / "nginx-access.log"),
    }


def render(layout: Layout, template: str | None = None) -> str:
    """The template (by default ``TEMPLATE``'s text) with every placeholder filled in."""
    text = TEMPLATE.read_text() if template is None else template
    values = placeholders(layout)
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - values.keys())
    if unknown:
        raise ValueError(f"template has unknown placeholders: {', '.join(unknown)}")
    return HEADER + _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _absolute(path: Path) -> Path:
    """``path`` made absolute and normalised, without resolving symlinks."""
    return Path(os.path.abspath(path))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Render the NGINX config for the given layout.",
        epilog="--docker renders nginx/docker.conf for docker compose instead.",
    )
    parser.add_argument("--http-port", type=int, help="port NGINX listens on")
    parser.add_argument("--booking", help="booking service host:port")
    parser.add_argument("--edges", help="edge servers, comma-separated host:port")
    parser.add_argument("--frontend", type=Path, help="static frontend directory")
    parser.add_argument(
        "--run-dir", type=Path, help="NGINX keeps pid file and temp paths in DIR/nginx"
    )
    parser.add_argument(
        "--log-dir", help="directory for nginx-error.log and nginx-access.log; - for stdio"
    )
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--api-rate", default="20r/s", help="per-client API rate (default 20r/s)")
    parser.add_argument(
        "--api-burst", type=int, default=40, help="API burst allowance (default 40)"
    )
    parser.add_argument(
        "--status-rate", default="5r/s", help="per-client /health and /stats rate (default 5r/s)"
    )
    parser.add_argument(
        "--status-burst", type=int, default=20, help="/health and /stats burst (default 20)"
    )
    parser.add_argument(
        "--ws-connections",
        type=int,
        default=20,
        help="open WebSockets allowed per client address (default 20)",
    )
    parser.add_argument("--docker", action="store_true", help="write nginx/docker.conf")
    return parser


def _layout(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Layout:
    """The layout the command line describes; exits with usage on missing options."""
    needed = ("http_port", "booking", "edges", "frontend", "run_dir", "log_dir")
    missing = [f"--{name.replace('_', '-')}" for name in needed if getattr(args, name) is None]
    if missing:
        parser.error(f"missing {', '.join(missing)} (or use --docker)")
    return Layout(
        http_port=args.http_port,
        booking=args.booking,
        edges=tuple(edge.strip() for edge in args.edges.split(",") if edge.strip()),
        frontend_dir=_absolute(args.frontend),
        run_dir=_absolute(args.run_dir),
        log_dir=None if args.log_dir == "-" else _absolute(Path(args.log_dir)),
        api_rate=args.api_rate,
        api_burst=args.api_burst,
        status_rate=args.status_rate,
        status_burst=args.status_burst,
        ws_connections=args.ws_connections,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.docker:
        DOCKER_CONF.write_text(render(DOCKER_LAYOUT))
        return 0
    try:
        layout = _layout(args, parser)
        config = render(layout)
    except ValueError as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    (layout.run_dir / "nginx").mkdir(parents=True, exist_ok=True)
    if layout.log_dir is not None:
        layout.log_dir.mkdir(parents=True, exist_ok=True)
    if args.out is None:
        sys.stdout.write(config)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
