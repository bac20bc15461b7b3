"""Render ``nginx/nginx.conf.template`` into a config NGINX can run, for any edge list.

    python nginx/render.py --http-port 80 --booking 127.0.0.1:8080,127.0.0.1:8081 \\
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
_IP_ADDRESS = re.compile(r"^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$")
_RATE = re.compile(r"^[1-9][0-9]*r/[sm]$")
# Paths are quoted in the template; these would still end the string or start a variable.
_UNSAFE_PATH = re.compile(r"[\"'$\\{};\x00-\x1f]")


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Where everything is: the port, the upstreams and the directories.

    ``bookings`` are the booking-service processes (requests are spread over them),
    ``edges`` the edge servers (WebSockets go to the one with the fewest open). With
    ``edge_resolver`` (a DNS server's IP address), ``edges`` is one name that resolves
    to every edge, looked up at that server every few seconds rather than once at start.

    ``log_dir`` None sends the error log to stderr and the access log to stdout.
    """

    http_port: int
    bookings: tuple[str, ...]
    edges: tuple[str, ...]
    frontend_dir: Path
    run_dir: Path
    log_dir: Path | None
    api_rate: str = "20r/s"
    api_burst: int = 40
    status_rate: str = "5r/s"
    status_burst: int = 20
    ws_connections: int = 20
    edge_resolver: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.http_port <= 65535:
            raise ValueError(f"HTTP port must be 1-65535, got {self.http_port}")
        if not self.bookings:
            raise ValueError("at least one booking service is needed")
        if not self.edges:
            raise ValueError("at least one edge server is needed")
        for address in (*self.bookings, *self.edges):
            if not _ADDRESS.match(address):
                raise ValueError(f"not a host:port address: {address!r}")
        if len(set(self.bookings)) != len(self.bookings):
            raise ValueError("a booking service is listed twice")
        if len(set(self.edges)) != len(self.edges):
            raise ValueError("an edge server is listed twice")
        if self.edge_resolver is not None:
            if not _IP_ADDRESS.match(self.edge_resolver):
                raise ValueError(f"resolver must be an IP address, got {self.edge_resolver!r}")
            if len(self.edges) != 1:
                raise ValueError("with a resolver, one edge service name is given, not a list")
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


# docker compose: upstreams by service name, the edges (`--scale edge=N`) through
# Docker's own DNS server, the official image's html and cache directories
# (/var/cache/nginx exists there), logs to the container's output.
DOCKER_LAYOUT = Layout(
    http_port=80,
    bookings=("booking-service:8080",),
    edges=("edge:3000",),
    edge_resolver="127.0.0.11",
    frontend_dir=Path("/usr/share/nginx/html"),
    run_dir=Path("/var/cache"),
    log_dir=None,
)
DOCKER_CONF = Path(__file__).with_name("docker.conf")


def upstream_servers(addresses: Sequence[str]) -> str:
    """The ``server`` lines of an upstream block: a server that refuses connections is
    skipped for a few seconds."""
    return "\n        ".join(
        f"server {address} max_fails=1 fail_timeout=3s;" for address in addresses
    )


# The variable NGINX resolves at request time when the edges are a DNS name: a name
# written into proxy_pass itself would be resolved once, at start.
_EDGE_SERVICE = "$edge_service"


def edge_upstream(layout: Layout) -> str:
    """The edges' upstream block, or the resolver and the variable naming the service."""
    if layout.edge_resolver is None:
        servers = upstream_servers(layout.edges)
        return f"upstream edge_servers {{\n        least_conn;\n        {servers}\n    }}"
    return (
        f"resolver {layout.edge_resolver} valid=5s ipv6=off;\n"
        f"    map $host {_EDGE_SERVICE} {{\n"
        f"        default {layout.edges[0]};\n"
        f"    }}"
    )


def edge_pass(layout: Layout) -> str:
    """Where /ws is proxied: the upstream, or the service's variable."""
    return "edge_servers" if layout.edge_resolver is None else _EDGE_SERVICE


def edge_stats_locations(layout: Layout) -> str:
    """One internal location per edge, proxying to that edge's ``/stats`` (with a
    resolver, to whichever replica the name gives)."""
    targets = layout.edges if layout.edge_resolver is None else (_EDGE_SERVICE,)
    blocks = [
        f"location = /internal/edge-stats/{number} {{\n"
        f"            internal;\n"
        f"            proxy_pass http://{target}/stats;\n"
        f"            proxy_connect_timeout 1s;\n"
        f"            proxy_read_timeout 2s;\n"
        f'            proxy_set_header Accept-Encoding "";\n'
        f"            proxy_intercept_errors on;\n"
        f"        }}"
        for number, target in enumerate(targets, start=1)
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
        "BOOKING_UPSTREAMS": upstream_servers(layout.bookings),
        "EDGE_UPSTREAM": edge_upstream(layout),
        "EDGE_PASS": edge_pass(layout),
        "EDGE_STATS_SSI": edge_stats_ssi(layout.edges),
        "EDGE_STATS_LOCATIONS": edge_stats_locations(layout),
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
    parser.add_argument("--booking", help="booking-service processes, comma-separated host:port")
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


def _addresses(listed: str) -> tuple[str, ...]:
    """A comma-separated list of host:port addresses, blanks ignored."""
    return tuple(address.strip() for address in listed.split(",") if address.strip())


def _layout(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Layout:
    """The layout the command line describes; exits with usage on missing options."""
    needed = ("http_port", "booking", "edges", "frontend", "run_dir", "log_dir")
    missing = [f"--{name.replace('_', '-')}" for name in needed if getattr(args, name) is None]
    if missing:
        parser.error(f"missing {', '.join(missing)} (or use --docker)")
    return Layout(
        http_port=args.http_port,
        bookings=_addresses(args.booking),
        edges=_addresses(args.edges),
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
