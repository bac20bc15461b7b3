"""The NGINX template and its renderer: valid configs for any edge list, nothing unsafe."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from nginx.render import DOCKER_CONF, DOCKER_LAYOUT, Layout, main, render
from tests.servers import find_binary

BOOKINGS = ("127.0.0.1:8080", "127.0.0.1:8081")
EDGES = ("127.0.0.1:3000", "127.0.0.1:3001", "127.0.0.1:3002")


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    frontend = tmp_path / "frontend"
    frontend.mkdir()
    return Layout(
        http_port=8000,
        bookings=BOOKINGS,
        edges=EDGES,
        frontend_dir=frontend,
        run_dir=tmp_path / "run",
        log_dir=tmp_path / "logs",
    )


def nginx_test(config: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``config``: parses it and opens its files, binds no socket."""
    return subprocess.run(
        [find_binary("nginx"), "-t", "-c", str(config), "-p", str(prefix), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_render_output_passes_nginx_config_test(layout: Layout, tmp_path: Path) -> None:
    """The rendered config, written by the command line, passes ``nginx -t``."""
    out = tmp_path / "run" / "nginx.conf"
    status = main(
        [
            "--http-port", "8000", "--booking", ",".join(BOOKINGS), "--edges", ",".join(EDGES),
            "--frontend", str(layout.frontend_dir), "--run-dir", str(layout.run_dir),
            "--log-dir", str(layout.log_dir), "--out", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    result = nginx_test(out, layout.run_dir)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def directives(config: str) -> str:
    """The config without its comments."""
    return "\n".join(line.partition("#")[0] for line in config.splitlines())


def test_render_balances_edges_with_least_conn_not_ip_hash(layout: Layout) -> None:
    """WebSockets go to the least busy edge; client addresses never pin an edge."""
    config = directives(render(layout))
    assert "least_conn;" in config
    assert "ip_hash" not in config
    for edge in EDGES:
        assert f"server {edge} " in config


def test_render_spreads_requests_over_every_booking_process(layout: Layout) -> None:
    """/api and /health go to one upstream naming every booking process, kept alive."""
    config = directives(render(layout))
    upstream = config[config.index("upstream booking_service {") :].partition("}")[0]
    assert [line.split()[1] for line in upstream.splitlines() if "server " in line] == list(
        BOOKINGS
    )
    assert "keepalive 32;" in upstream
    assert "proxy_pass http://booking_service;" in config


def test_render_with_a_resolver_finds_edge_replicas_at_request_time(
    layout: Layout, tmp_path: Path
) -> None:
    """With a resolver, /ws and /stats go to the edge service's name, looked up every few
    seconds rather than once at start; the config passes ``nginx -t``."""
    dns = replace(layout, edges=("localhost:3000",), edge_resolver="127.0.0.53", log_dir=None)
    config = render(dns)
    body = directives(config)
    assert "resolver 127.0.0.53 valid=5s ipv6=off;" in body
    assert "default localhost:3000;" in body
    assert "proxy_pass http://$edge_service;" in body
    assert "proxy_pass http://$edge_service/stats;" in body
    assert "upstream edge_servers" not in body
    (dns.run_dir / "nginx").mkdir(parents=True)
    out = dns.run_dir / "dns.conf"
    out.write_text(config)
    result = nginx_test(out, dns.run_dir)
    assert result.returncode == 0, result.stderr


def test_render_fills_every_placeholder(layout: Layout) -> None:
    """No ``${NAME}`` is left, while NGINX's own variables such as $http_upgrade stay."""
    config = render(layout)
    assert "${" not in config
    assert "map $http_upgrade $connection_upgrade" in config


def test_render_stats_includes_every_edge(layout: Layout) -> None:
    """/stats includes one internal subrequest per edge, each proxied to that edge's /stats."""
    config = render(layout)
    includes = re.findall(r'include virtual="(/internal/edge-stats/\d+)"', config)
    assert includes == [f"/internal/edge-stats/{n}" for n in (1, 2, 3)]
    for number, edge in enumerate(EDGES, start=1):
        location = f"location = /internal/edge-stats/{number} {{\n            internal;"
        assert location in config
        assert f"proxy_pass http://{edge}/stats;" in config


def location(config: str, path: str) -> str:
    """The body of ``location = PATH { ... }`` in a rendered config."""
    match = re.search(rf"location = {re.escape(path)} {{\n(.*?)\n        }}", config, re.DOTALL)
    assert match, f"no location = {path}"
    return match.group(1)


def test_render_limits_websockets_per_client_address(layout: Layout) -> None:
    """/ws allows 20 open connections per client address by default, or as configured."""
    config = directives(render(layout))
    assert "limit_conn_zone $binary_remote_addr zone=ws_per_client:10m;" in config
    assert "limit_conn ws_per_client 20;" in location(config, "/ws")
    fewer = directives(render(replace(layout, ws_connections=3)))
    assert "limit_conn ws_per_client 3;" in location(fewer, "/ws")


@pytest.mark.parametrize("path", ["/health", "/stats"])
def test_render_rate_limits_health_and_stats(layout: Layout, path: str) -> None:
    """/health and /stats are rate-limited per client address, answering 429 beyond it."""
    config = directives(render(replace(layout, status_rate="7r/s", status_burst=9)))
    zone = f"{path.strip('/')}_per_client"
    assert f"zone={zone}:10m rate=7r/s;" in config
    assert f"limit_req zone={zone} burst=9 nodelay;" in location(config, path)
    # A `return` answers in the rewrite phase, before limit_req would count the request.
    assert "return " not in location(config, path)
    assert "limit_req_status 429;" in config


def test_render_nginx_health_says_healthy(layout: Layout) -> None:
    """/nginx-health answers JSON whose status is the word the seed's scripts look for."""
    body = re.search(r"return 200 '(.*)\\n';", location(render(layout), "/nginx-health"))
    assert body
    assert json.loads(body.group(1)) == {"status": "healthy", "service": "nginx"}


def test_render_command_line_sets_the_limits(layout: Layout, tmp_path: Path) -> None:
    """--ws-connections, --status-rate and --status-burst reach the rendered config."""
    out = tmp_path / "limits.conf"
    status = main(
        [
            "--http-port", "8000", "--booking", ",".join(BOOKINGS), "--edges", EDGES[0],
            "--frontend", str(layout.frontend_dir), "--run-dir", str(layout.run_dir),
            "--log-dir", "-", "--out", str(out), "--ws-connections", "4",
            "--status-rate", "2r/s", "--status-burst", "3",
        ]
    )  # fmt: skip
    assert status == 0
    config = out.read_text()
    assert "limit_conn ws_per_client 4;" in config
    assert "rate=2r/s;" in config
    assert "limit_req zone=stats_per_client burst=3 nodelay;" in config


def test_render_keeps_nginx_state_under_run_dir(layout: Layout) -> None:
    """The pid file and all five temp paths live in RUN_DIR/nginx, the logs in LOG_DIR."""
    config = render(layout)
    state = layout.run_dir / "nginx"
    assert f'pid "{state}/nginx.pid";' in config
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        assert f'{kind}_temp_path "{state}/{kind}";' in config
    assert f'error_log "{layout.log_dir}/nginx-error.log"' in config
    assert "user " not in directives(config)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"bookings": ("127.0.0.1:8080; include /etc/passwd",)}, "not a host:port"),
        ({"bookings": ()}, "at least one booking"),
        ({"bookings": ("127.0.0.1:8080", "127.0.0.1:8080")}, "listed twice"),
        ({"edges": ("edge 1:3000",)}, "not a host:port"),
        ({"edges": ()}, "at least one edge"),
        ({"edges": ("127.0.0.1:3000", "127.0.0.1:3000")}, "listed twice"),
        ({"frontend_dir": Path('/srv/"front"')}, "misread"),
        ({"run_dir": Path("/run/$host")}, "misread"),
        ({"api_rate": "fast"}, "API rate"),
        ({"status_rate": "10"}, "status rate"),
        ({"status_burst": -1}, "status burst"),
        ({"ws_connections": 0}, "WebSockets per client"),
        ({"http_port": 0}, "HTTP port"),
        ({"edge_resolver": "dns.example"}, "resolver must be an IP address"),
        ({"edge_resolver": "127.0.0.11"}, "one edge service name"),
    ],
)
def test_layout_rejects_values_that_would_break_the_config(
    layout: Layout, change: dict[str, object], reason: str
) -> None:
    """Addresses, paths, rates and ports that NGINX would misread are refused."""
    with pytest.raises(ValueError, match=reason):
        replace(layout, **change)  # type: ignore[arg-type]


def test_render_rejects_unknown_placeholders(layout: Layout) -> None:
    """A placeholder the renderer does not know is an error, not left in the output."""
    with pytest.raises(ValueError, match="EDGE_PORTS"):
        render(layout, template="listen ${HTTP_PORT}; ${EDGE_PORTS}")


def test_render_without_log_dir_logs_to_stdio(layout: Layout) -> None:
    """With no log directory the error log goes to stderr and the access log to stdout."""
    config = render(replace(layout, log_dir=None))
    assert 'error_log "stderr" warn;' in config
    assert 'access_log "/dev/stdout" upstreams;' in config


def test_docker_conf_is_the_template_rendered_for_compose() -> None:
    """nginx/docker.conf is up to date: ``python nginx/render.py --docker`` would not change it."""
    assert DOCKER_CONF.read_text() == render(DOCKER_LAYOUT)
