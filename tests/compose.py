"""ComposeStack: the whole system as ``docker compose`` runs it, on a free HTTP port.

Each stack is a compose project of its own (a random project name), so its containers,
network and volumes never meet a stack someone runs from the project folder, and
``down()`` removes all of them. The images are built by compose from the Dockerfile
(``seat-booking/*``, so the layer cache carries over from one stack to the next) on the
base images ``stand_in_images()`` names.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.script_stack import run_project_script
from tests.servers import PROJECT_ROOT, ServerError, free_port

__all__ = ["ComposeStack", "compose_command", "docker_engine", "stand_in_images"]

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
# The first build of the stand-ins runs debootstrap and apt-get: minutes, once.
STAND_IN_TIMEOUT = 900
BUILD_TIMEOUT = 600
COMMAND_TIMEOUT = 120
HEALTHY_TIMEOUT = 90.0
LISTINGS = {"container": ("ps", "-a"), "volume": ("volume", "ls"), "network": ("network", "ls")}


def compose_command() -> list[str]:
    """The compose command available here: ``docker compose``, else ``docker-compose``.

    Raises ``FileNotFoundError`` when neither is installed.
    """
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy is None:
        raise FileNotFoundError("neither 'docker compose' nor 'docker-compose' is installed")
    return [legacy]


def _script(name: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROJECT_ROOT / "scripts" / name)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def docker_engine() -> str | None:
    """Start a Docker engine if none answers (scripts/docker-engine.sh).

    Returns None when one answers, else the reason none can run here.
    """
    result = _script("docker-engine.sh", COMMAND_TIMEOUT)
    if result.returncode == 0:
        return None
    return result.stderr.strip() or f"scripts/docker-engine.sh exited {result.returncode}"


def stand_in_images() -> dict[str, str]:
    """``PYTHON_IMAGE``, ``REDIS_IMAGE``, … → the local stand-in tags, built if missing."""
    result = _script("stand-in-images.sh", STAND_IN_TIMEOUT)
    if result.returncode != 0:
        raise ServerError(f"stand-in-images.sh failed:\n{result.stdout}\n{result.stderr}")
    return dict(line.split("=", 1) for line in result.stdout.split())


class ComposeStack:
    """Build, start, inspect and remove one compose project of the whole system."""

    def __init__(self, images: dict[str, str]) -> None:
        self.project = f"seatbooking{secrets.token_hex(4)}"
        self.http_port = free_port()
        origins = f"http://127.0.0.1:{self.http_port},http://localhost:{self.http_port}"
        self.env = {
            **os.environ,
            **images,
            "HTTP_PORT": str(self.http_port),
            "ALLOWED_ORIGINS": origins,
        }
        self._command = [*compose_command(), "-f", str(COMPOSE_FILE), "-p", self.project]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a script of the project folder against this stack; never raises on failure."""
        return run_project_script(script, {**self.env, "BASE_URL": self.base_url, **env})

    def compose(
        self, *args: str, timeout: float = COMMAND_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """Run one compose command on this project; raises ServerError when it fails."""
        result = subprocess.run(
            [*self._command, *args],
            env=self.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(f"compose {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def up(self) -> ComposeStack:
        """Build the images (cached layers: seconds), start, wait until every service is healthy."""
        self.compose("build", timeout=BUILD_TIMEOUT)
        self.compose("up", "-d", timeout=BUILD_TIMEOUT)
        self.wait_healthy()
        return self

    def scale(self, service: str, count: int) -> None:
        """Run ``count`` containers of ``service``, leaving running ones be; wait until healthy."""
        self.compose("up", "-d", "--no-build", "--no-recreate", "--scale", f"{service}={count}")
        self.wait_healthy()

    def containers(self, service: str | None = None) -> list[str]:
        """Ids of the project's containers (of one service when named), running or not."""
        names = [] if service is None else [service]
        return self.compose("ps", "-q", *names).stdout.split()

    def addresses(self, service: str) -> list[str]:
        """The IP addresses of a service's containers on the project's network.

        The host reaches them directly over the bridge, ports unpublished.
        """
        inspected = self._inspect(self.containers(service))
        return [
            network["IPAddress"]
            for container in inspected
            for network in container["NetworkSettings"]["Networks"].values()
        ]

    def _inspect(self, containers: list[str]) -> list[dict[str, Any]]:
        inspected = subprocess.run(
            ["docker", "inspect", *containers],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=True,
        )
        found: list[dict[str, Any]] = json.loads(inspected.stdout)
        return found

    def states(self) -> dict[str, str]:
        """Container name → its health (``healthy``, ``starting``…) or, without one, its state."""
        states = {}
        for container in self._inspect(self.containers()):
            state = container["State"]
            health = state.get("Health")
            shown = health["Status"] if health else f"{state['Status']} {state['ExitCode']}"
            states[container["Name"].lstrip("/")] = shown
        return states

    def wait_healthy(self, timeout: float = HEALTHY_TIMEOUT) -> dict[str, str]:
        """Wait until every container is healthy, the one-shot credentials one exited 0.

        Raises ServerError with the states and the logs when time runs out first.
        """
        deadline = time.monotonic() + timeout
        while True:
            states = self.states()
            done = all(
                state == "healthy" or ("credentials" in name and state == "exited 0")
                for name, state in states.items()
            )
            if done:
                return states
            if time.monotonic() > deadline:
                logs = self.compose("logs", "--no-color", "--tail", "20").stdout
                raise ServerError(f"not healthy within {timeout:.0f}s: {states}\n{logs}")
            time.sleep(0.5)

    def leftovers(self) -> list[str]:
        """The project's containers, volumes and networks that still exist."""
        label = f"label=com.docker.compose.project={self.project}"
        found = []
        for kind, listing in LISTINGS.items():
            listed = subprocess.run(
                ["docker", *listing, "-q", "--filter", label],
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=True,
            )
            found += [f"{kind} {name}" for name in listed.stdout.split()]
        return found

    def down(self) -> None:
        """Stop and remove every container, network and volume of the project."""
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5")

    def logs_path(self, directory: Path) -> Path:
        """Write the project's logs into ``directory`` (for a failed run); returns the file."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"compose-{self.project}.log"
        path.write_text(self.compose("logs", "--no-color").stdout)
        return path
