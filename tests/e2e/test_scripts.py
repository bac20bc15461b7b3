"""The README's commands and the seed's shell test scripts, run as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from tests.script_stack import ScriptStack
from tests.servers import PROJECT_ROOT

SHELL_TESTS = [
    "test_integration.sh",
    "test_e2e.sh",
    "test_realtime.sh",
    "test_nginx.sh",
    "test_frontend.sh",
]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("script", SHELL_TESTS)
def test_shell_script_passes_against_running_stack(
    script_stack: ScriptStack, script: str, tmp_path: Path
) -> None:
    """Each seed test script exits 0 against the stack, with no failed check."""
    result = script_stack.run(script, ARTIFACTS_DIR=str(PROJECT_ROOT / "test-artifacts"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout


def test_start_all_twice_starts_no_duplicates(script_stack: ScriptStack) -> None:
    """A second start-all.sh reports the running stack and leaves its processes alone."""
    names = [f"booking-service-{port}" for port in script_stack.booking_ports]
    before = [script_stack.pid(name) for name in names]
    result = script_stack.run("start-all.sh")
    assert result.returncode == 0
    assert "already running" in result.stdout
    assert [script_stack.pid(name) for name in names] == before


def test_start_all_serves_through_every_booking_process(script_stack: ScriptStack) -> None:
    """NGINX spreads requests over both booking processes: /health names each in turn."""
    pids = {script_stack.pid(f"booking-service-{port}") for port in script_stack.booking_ports}
    assert len(pids) == 2
    instances = {
        httpx.get(script_stack.base_url + "/health", timeout=5).json()["instance"] for _ in range(6)
    }
    assert {int(instance.rpartition("/")[2]) for instance in instances} == pids


def test_booking_process_killed_nginx_serves_from_the_others(tmp_path: Path) -> None:
    """With one of three booking processes killed, every request through NGINX still
    succeeds; stop-all.sh stops the other two and every edge and leaves no listener."""
    stack = ScriptStack(tmp_path / "stack", BOOKING_PROCESSES="3").start()
    try:
        victim = stack.pid(f"booking-service-{stack.booking_ports[1]}")
        os.kill(victim, signal.SIGKILL)
        for seat in ("A1", "A2", "A3", "A4", "A5", "A6"):
            body = {"seat_id": seat, "user_id": "survivor"}
            response = httpx.post(f"{stack.base_url}/api/seats/select", json=body, timeout=5)
            assert response.status_code == 200, response.text
        pids = {stack.pid(f"booking-service-{port}") for port in stack.booking_ports}
        instances = {
            httpx.get(stack.base_url + "/health", timeout=5).json()["instance"] for _ in range(6)
        }
        assert {int(instance.rpartition("/")[2]) for instance in instances} == pids - {victim}
    finally:
        stopped = stack.stop()
    assert stopped.returncode == 0
    assert stopped.stdout.count("stopped booking-service-") == 2
    assert not any(_listening(port) for port in stack.all_ports)


def test_start_all_serves_the_frontend_and_health(script_stack: ScriptStack) -> None:
    """Through NGINX, / serves the seat map page and /health reports Redis and NATS ok."""
    page = httpx.get(script_stack.base_url + "/", timeout=5)
    assert page.status_code == 200
    assert 'id="book-btn"' in page.text
    health = httpx.get(script_stack.base_url + "/health", timeout=5).json()
    assert (health["redis"], health["nats"]) == ("ok", "ok")


def test_start_all_reports_a_taken_port(tmp_path: Path) -> None:
    """With ports taken, start-all.sh names each and its setting, exits non-zero and
    leaves nothing running."""
    stack = ScriptStack(tmp_path / "stack")
    with socket.socket() as squatter, socket.socket() as second:
        squatter.bind(("127.0.0.1", stack.ports["BOOKING_PORT"]))
        squatter.listen()
        second.bind(("127.0.0.1", stack.booking_ports[1]))
        second.listen()
        result = stack.run("start-all.sh")
    assert result.returncode != 0
    assert f"port {stack.ports['BOOKING_PORT']} is already in use" in result.stderr
    assert "(BOOKING_PORT)" in result.stderr
    assert f"port {stack.booking_ports[1]} is already in use" in result.stderr
    assert "(BOOKING_PORT+1, booking process 2)" in result.stderr
    assert not any(_listening(port) for port in stack.all_ports)


def test_bookings_survive_stop_and_start(tmp_path: Path) -> None:
    """A booking survives stop-all.sh and start-all.sh; stop-all.sh leaves no listener."""
    stack = ScriptStack(tmp_path / "stack").start()
    try:
        body = {"seat_id": "C4", "user_id": "keeper"}
        for action in ("select", "book"):
            response = httpx.post(f"{stack.base_url}/api/seats/{action}", json=body, timeout=5)
            assert response.status_code == 200, response.text
        assert stack.stop().returncode == 0
        assert not any(_listening(port) for port in stack.all_ports)
        stack.start()
        seats = httpx.get(stack.base_url + "/api/seats", timeout=5).json()
        assert next(s for s in seats if s["id"] == "C4")["status"] == 2
    finally:
        stack.stop()
    assert not any(_listening(port) for port in stack.all_ports)


def test_tokenless_writes_switched_off_at_the_front_door(tmp_path: Path) -> None:
    """With ALLOW_TOKENLESS_WRITES=false, seed-style writes are refused; sessions still work."""
    stack = ScriptStack(tmp_path / "stack", ALLOW_TOKENLESS_WRITES="false").start()
    try:
        api = f"{stack.base_url}/api"
        refused = httpx.post(f"{api}/seats/select", json={"seat_id": "A1", "user_id": "u1"})
        assert refused.status_code == 401
        assert "session token" in refused.json()["error"]
        token = httpx.post(f"{api}/session", json={"user_id": "u1"}).json()["session_token"]
        held = httpx.post(f"{api}/seats/select", json={"seat_id": "A1", "session_token": token})
        assert held.status_code == 200
        browser_flow = stack.run("test_e2e.sh")
        assert browser_flow.returncode == 0, browser_flow.stdout + browser_flow.stderr
    finally:
        stack.stop()


def test_start_all_prints_the_operator_token(script_stack: ScriptStack) -> None:
    """The banner shows the operator token and its file, and the token opens /api/admin."""
    token_file = script_stack.directory / "data" / "admin_token"
    token = token_file.read_text().strip()
    assert f"operator token   {token}  (kept in {token_file}, 0600)" in script_stack.start_output
    events = httpx.get(
        script_stack.base_url + "/api/admin/events",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert events.status_code == 200, events.text
    assert [event["id"] for event in events.json()] == ["main"]


def test_start_all_prints_where_each_metrics_endpoint_is(script_stack: ScriptStack) -> None:
    """The banner names every booking process's and every edge's /metrics, and each answers
    in the Prometheus text format, while NGINX keeps /metrics to itself."""
    bookings = [f"http://127.0.0.1:{port}/metrics" for port in script_stack.booking_ports]
    edges = [f"http://127.0.0.1:{port}/metrics" for port in script_stack.edge_ports]
    output = script_stack.start_output
    assert f"  metrics          booking service {' '.join(bookings)}\n" in output
    assert f"                   edge servers    {' '.join(edges)}\n" in output
    for url in (*bookings, *edges):
        response = httpx.get(url, timeout=5)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/plain"), url
    assert httpx.get(script_stack.base_url + "/metrics", timeout=5).status_code == 404
