"""deploy/prometheus.yml, run by a real Prometheus against a real stack: every target is up."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.servers import PROJECT_ROOT, ManagedProcess, free_port
from tests.stack import EdgeStack

SCRAPE_CONFIG = PROJECT_ROOT / "deploy" / "prometheus.yml"
UP_TIMEOUT = 30.0


def native_config(booking: str, edges: list[str]) -> dict[str, Any]:
    """deploy/prometheus.yml with the targets of a native stack, as its comments say, and
    a scrape every second."""
    config: dict[str, Any] = yaml.safe_load(SCRAPE_CONFIG.read_text())
    config["global"]["scrape_interval"] = "1s"
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"booking-service", "edge"}
    jobs["booking-service"]["static_configs"] = [{"targets": [booking]}]
    edge_job = jobs["edge"]
    del edge_job["dns_sd_configs"]
    edge_job["static_configs"] = [{"targets": edges}]
    return config


class PrometheusServer(ManagedProcess):
    """Prometheus with the given config, its data in ``directory``, on a free port."""

    def __init__(self, directory: Path, config: dict[str, Any], binary: str) -> None:
        self.port = free_port()
        directory.mkdir(parents=True, exist_ok=True)
        config_file = directory / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(config))
        argv = [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        super().__init__("prometheus", argv, log_path=directory / "prometheus.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        self.wait_http_ok(self.url + "/-/ready")


def _targets(prometheus: PrometheusServer) -> list[dict[str, Any]]:
    response = httpx.get(prometheus.url + "/api/v1/targets", timeout=5)
    assert response.status_code == 200, response.text
    active: list[dict[str, Any]] = response.json()["data"]["activeTargets"]
    return active


def _query(prometheus: PrometheusServer, query: str) -> list[dict[str, Any]]:
    response = httpx.get(prometheus.url + "/api/v1/query", params={"query": query}, timeout=5)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


@pytest.mark.slow
def test_prometheus_scrapes_every_booking_process_and_edge(
    make_edge_stack: Callable[..., EdgeStack], tmp_path: Path
) -> None:
    """Prometheus, given deploy/prometheus.yml pointed at a native stack, finds the booking
    service and both edges up, and stores what their /metrics show."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("the prometheus binary is not installed (apt-get install prometheus)")
    stack = make_edge_stack()
    booking = stack.api.removeprefix("http://")
    edges = [edge.url.removeprefix("http://") for edge in stack.edges]
    prometheus = PrometheusServer(tmp_path / "prometheus", native_config(booking, edges), binary)
    prometheus.start()
    try:
        deadline = time.monotonic() + UP_TIMEOUT
        while True:
            targets = _targets(prometheus)
            if len(targets) == 3 and all(target["health"] == "up" for target in targets):
                break
            assert time.monotonic() < deadline, targets
            time.sleep(0.2)
        assert {(t["labels"]["job"], t["labels"]["instance"]) for t in targets} == {
            ("booking-service", booking),
            *(("edge", edge) for edge in edges),
        }
        assert len(_query(prometheus, "edge_connections_open")) == 2
        assert len(_query(prometheus, 'booking_active_holds{event="main"}')) == 1
    finally:
        prometheus.stop()
