"""docker-compose.yml: it parses, its NGINX routes to the compose services, and its
``monitoring`` profile adds Prometheus and Grafana."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest
import yaml

from tests.compose import compose_command
from tests.servers import PROJECT_ROOT

MONITORING = {"prometheus", "grafana"}


def _resolve(*options: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose services, as the compose tool itself resolves the file."""
    result = subprocess.run(
        [*compose_command(), "-f", str(PROJECT_ROOT / "docker-compose.yml"), *options, "config"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = yaml.safe_load(result.stdout)["services"]
    return resolved


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    """The compose services, as the compose tool itself resolves the file."""
    return _resolve()


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
    """Compose declares Redis, NATS, the booking service, the edges, NGINX and their
    passwords; those, and only those, start without a profile."""
    default = {name for name, service in services.items() if not service.get("profiles")}
    assert default == {"credentials", "redis", "nats", "booking-service", "edge", "nginx"}
    assert services["edge"]["scale"] == 2
    assert "container_name" not in services["edge"]
    assert "ports" not in services["edge"]


def test_compose_waits_for_healthy_dependencies(services: dict[str, Any]) -> None:
    """Every service that depends on another waits until that one is healthy."""
    waits = {
        (name, dependency): condition["condition"]
        for name, service in services.items()
        for dependency, condition in service.get("depends_on", {}).items()
    }
    assert ("nginx", "edge") in waits
    assert ("booking-service", "redis") in waits
    assert waits.pop(("redis", "credentials")) == "service_completed_successfully"
    assert waits.pop(("nats", "credentials")) == "service_completed_successfully"
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
    for name in ("booking-service", "edge"):
        target = services[name]["build"]["target"]
        assert re.search(rf"^FROM \S+ AS {target}$", dockerfile, re.MULTILINE), target
    assert "HEALTHCHECK" in dockerfile


def test_compose_nginx_routes_to_service_names(services: dict[str, Any]) -> None:
    """The compose NGINX config sends /api to booking-service and /ws to the edge service,
    looked up in Docker's DNS at request time so that every replica of ``--scale`` counts."""
    conf = (PROJECT_ROOT / "nginx" / "docker.conf").read_text()
    assert "server booking-service:8080" in conf
    assert "resolver 127.0.0.11 " in conf
    assert "default edge:3000;" in conf
    assert "proxy_pass http://$edge_service;" in conf
    assert _mounts(services["nginx"])["/etc/nginx/nginx.conf"].endswith("nginx/docker.conf")
    assert services["edge"]["environment"]["PORT"] == "3000"


def test_compose_edges_scale_without_clashing(services: dict[str, Any]) -> None:
    """The edge service has no fixed container name and publishes no port, so
    ``docker compose up --scale edge=4`` can start four of it."""
    assert "container_name" not in services["edge"]
    assert "ports" not in services["edge"]


def _command(service: dict[str, Any]) -> str:
    """A service's command as one string, with compose's ``$$`` escape undone."""
    command = service["command"]
    return (command if isinstance(command, str) else " ".join(command)).replace("$$", "$")


def test_compose_redis_and_nats_require_the_generated_passwords(services: dict[str, Any]) -> None:
    """Redis loads the ACL file and NATS its users, both made by the credentials service."""
    maker = _command(services["credentials"])
    assert "/opt/credentials.py /credentials/store --compose /credentials" in maker
    assert "/credentials/store" in _mounts(services["credentials"])
    assert "--aclfile /credentials/redis-users.acl" in _command(services["redis"])
    assert "-c /credentials/nats-auth.conf" in _command(services["nats"])
    assert _mounts(services["redis"])["/credentials"] == "redis-credentials"
    assert _mounts(services["nats"])["/credentials"] == "nats-credentials"


def test_compose_services_get_their_own_accounts_only(services: dict[str, Any]) -> None:
    """The booking service and the edges build their URLs from their own password files."""
    booking = _command(services["booking-service"])
    assert "redis://booking:$(cat /credentials/redis-booking.password)@redis:6379" in booking
    assert "nats://booking:$(cat /credentials/nats-booking.password)@nats:4222" in booking
    assert _mounts(services["booking-service"])["/credentials"] == "booking-credentials"
    edge = _command(services["edge"])
    assert "nats://edge:$(cat /credentials/nats-edge.password)@nats:4222" in edge
    assert _mounts(services["edge"])["/credentials"] == "edge-credentials"
    for service in services.values():
        for value in service.get("environment", {}).values():
            assert "@" not in str(value), "a URL with credentials in the environment"


def test_compose_edges_accept_only_the_page_nginx_serves(services: dict[str, Any]) -> None:
    """Edges refuse WebSockets from other sites' pages: ALLOWED_ORIGINS is our origin."""
    origins = services["edge"]["environment"]["ALLOWED_ORIGINS"].split(",")
    assert set(origins) == {"http://localhost", "http://127.0.0.1"}


def test_compose_app_user_owns_the_files_made_for_it() -> None:
    """The images' app user has the uid the credentials service gives the password files."""
    from scripts.credentials import COMPOSE_OWNERS

    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    uid = COMPOSE_OWNERS["booking-service"]
    assert f"useradd --system --uid {uid} " in dockerfile
    assert COMPOSE_OWNERS["edge"] == uid


def test_compose_base_images_default_to_the_official_ones(services: dict[str, Any]) -> None:
    """Without PYTHON_IMAGE, REDIS_IMAGE, NATS_IMAGE or NGINX_IMAGE set, the official images."""
    assert services["redis"]["image"] == "redis:7-alpine"
    assert services["nats"]["image"] == "nats:2-alpine"
    assert services["nginx"]["image"] == "nginx:1.27-alpine"
    for name in ("credentials", "booking-service", "edge"):
        assert services[name]["build"]["args"] == {"PYTHON_IMAGE": "python:3.11-slim"}
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim\nFROM ${PYTHON_IMAGE} AS base\n" in dockerfile


def test_compose_monitoring_profile_adds_prometheus_and_grafana() -> None:
    """``--profile monitoring`` parses and holds Prometheus and Grafana, only in that
    profile, on the official images, with the scrape config and the provisioning mounted."""
    services = _resolve("--profile", "monitoring")
    assert set(services) >= MONITORING
    for name in MONITORING:
        assert services[name]["profiles"] == ["monitoring"]
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert services["grafana"]["image"].startswith("grafana/grafana:")
    deploy = PROJECT_ROOT / "deploy"
    prometheus = _mounts(services["prometheus"])
    assert prometheus["/etc/prometheus/prometheus.yml"] == str(deploy / "prometheus.yml")
    grafana = _mounts(services["grafana"])
    assert grafana["/etc/grafana/provisioning"] == str(deploy / "grafana" / "provisioning")
    assert grafana["/var/lib/grafana/dashboards"] == str(deploy / "grafana" / "dashboards")
    home = services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == "/var/lib/grafana/dashboards/seat-booking.json"
    assert (deploy / "grafana" / "dashboards" / "seat-booking.json").is_file()
    assert [port["published"] for port in _ports(services["grafana"])] == [3300]


def test_compose_monitoring_images_and_port_come_from_variables() -> None:
    """PROMETHEUS_IMAGE, GRAFANA_IMAGE and GRAFANA_PORT replace the defaults."""
    services = _resolve(
        "--profile",
        "monitoring",
        env={
            "PROMETHEUS_IMAGE": "local/prom",
            "GRAFANA_IMAGE": "local/graf",
            "GRAFANA_PORT": "4000",
        },
    )
    assert services["prometheus"]["image"] == "local/prom"
    assert services["grafana"]["image"] == "local/graf"
    assert [port["published"] for port in _ports(services["grafana"])] == [4000]


def test_compose_grafana_provisioning_points_at_the_mounts() -> None:
    """The dashboard provider reads the mounted dashboards folder, and the data source is
    the compose Prometheus under the uid the dashboard names."""
    provisioning = PROJECT_ROOT / "deploy" / "grafana" / "provisioning"
    providers = yaml.safe_load((provisioning / "dashboards" / "seat-booking.yml").read_text())
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    sources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    source = sources["datasources"][0]
    assert source["url"] == "http://prometheus:9090"
    assert source["uid"] == "prometheus"


def _ports(service: dict[str, Any]) -> list[dict[str, Any]]:
    """A service's published ports in the long syntax, whichever syntax compose prints."""
    ports = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.append({**port, "published": int(port["published"])})
        else:
            published, target = str(port).rsplit(":", 2)[-2:]
            ports.append({"published": int(published), "target": int(target)})
    return ports
