"""docker-compose.yml: it parses, and its NGINX routes to the compose services."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.servers import PROJECT_ROOT


def _compose() -> list[str]:
    """The compose command available here: ``docker compose`` or ``docker-compose``."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy is None:
        pytest.fail("neither 'docker compose' nor 'docker-compose' is installed: ./run-tests.sh")
    return [legacy]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    """The compose services, as the compose tool itself resolves the file."""
    result = subprocess.run(
        [*_compose(), "-f", str(PROJECT_ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = yaml.safe_load(result.stdout)["services"]
    return resolved


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Target → source of a service's volumes, in short (``a:b:rw``) or long syntax."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        mounts[target] = source
    return mounts


def test_compose_runs_the_whole_system(services: dict[str, Any]) -> None:
    """Compose declares Redis, NATS, the booking service, two edges and NGINX."""
    assert set(services) == {"redis", "nats", "booking-service", "edge-1", "edge-2", "nginx"}


def test_compose_waits_for_healthy_dependencies(services: dict[str, Any]) -> None:
    """Every service that depends on another waits until that one is healthy."""
    waits = {
        (name, dependency): condition["condition"]
        for name, service in services.items()
        for dependency, condition in service.get("depends_on", {}).items()
    }
    assert ("nginx", "edge-2") in waits
    assert ("booking-service", "redis") in waits
    assert set(waits.values()) == {"service_healthy"}


def test_compose_keeps_redis_data_in_an_append_only_file(services: dict[str, Any]) -> None:
    """Redis fsyncs its AOF before answering and keeps it on a volume: no booking is lost."""
    redis = services["redis"]
    assert "--appendonly" in redis["command"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert redis["command"][redis["command"].index("--appendfsync") + 1] == "always"
    assert "/data" in _mounts(redis)


def test_compose_builds_both_dockerfile_targets(services: dict[str, Any]) -> None:
    """The booking service and the edges are built from the Dockerfile's own targets."""
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    for name in ("booking-service", "edge-1", "edge-2"):
        target = services[name]["build"]["target"]
        assert re.search(rf"^FROM \S+ AS {target}$", dockerfile, re.MULTILINE), target
    assert "HEALTHCHECK" in dockerfile


def test_compose_nginx_routes_to_service_names(services: dict[str, Any]) -> None:
    """The compose NGINX config sends /api to booking-service and /ws to both edges."""
    conf = (PROJECT_ROOT / "nginx" / "docker.conf").read_text()
    assert "server booking-service:8080" in conf
    assert "server edge-1:3000" in conf
    assert "server edge-2:3001" in conf
    assert "least_conn" in conf
    assert _mounts(services["nginx"])["/etc/nginx/nginx.conf"].endswith("nginx/docker.conf")
    edge_ports = {services[name]["environment"]["PORT"] for name in ("edge-1", "edge-2")}
    assert edge_ports == {"3000", "3001"}
