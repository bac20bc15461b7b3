"""ScriptStack: the whole system as ``./start-all.sh`` starts it, on free ports.

Everything of one stack (data, logs, pidfiles) lives in its own directory, so tests
never touch a stack someone runs from the project folder.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.servers import PROJECT_ROOT, free_port

__all__ = ["ScriptStack"]

SCRIPT_TIMEOUT = 180
# The booking processes start-all.sh runs unless BOOKING_PROCESSES says otherwise.
BOOKING_PROCESSES = 2
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Consecutive ports are chosen from here up to the ephemeral range.
FIRST_CHOSEN_PORT = 20000


def _ephemeral_ports_start() -> int:
    """The first port the kernel hands out to outgoing connections."""
    with contextlib.suppress(OSError, ValueError):
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    return 32768


def free_ports_in_a_row(count: int) -> int:
    """The first of ``count`` consecutive ports on 127.0.0.1 that nothing listens on.

    They lie below the kernel's ephemeral range: a port inside it may be taken by any
    outgoing connection between this check and the server's bind (and connect() favours
    the even port right after the odd one a bind to port 0 gives).
    """
    end = _ephemeral_ports_start() - count
    while True:
        first = random.randrange(FIRST_CHOSEN_PORT, end)
        probes = [socket.socket() for _ in range(count)]
        try:
            for offset, probe in enumerate(probes):
                probe.bind(("127.0.0.1", first + offset))
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
        return first


def run_project_script(script: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a script of the project folder with exactly ``env``; never raises on failure."""
    return subprocess.run(
        [str(PROJECT_ROOT / script)],
        env=dict(env),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )


class ScriptStack:
    """Start, stop and inspect one stack started by the project's own scripts."""

    def __init__(self, directory: Path, *, hold_seconds: float = 30, **settings: str) -> None:
        """``settings`` go to the scripts' environment (``BOOKING_PROCESSES="3"``, …)."""
        self.directory = directory
        edges = (free_port(), free_port())
        processes = int(settings.get("BOOKING_PROCESSES", BOOKING_PROCESSES))
        self.ports = {
            "HTTP_PORT": free_port(),
            "BOOKING_PORT": free_ports_in_a_row(processes),
            "REDIS_PORT": free_port(),
            "NATS_PORT": free_port(),
            "NATS_MONITOR_PORT": free_port(),
        }
        self.edge_ports = edges
        self.booking_ports = tuple(self.ports["BOOKING_PORT"] + n for n in range(processes))
        self.start_output = ""
        self.env = {
            **os.environ,
            **{name: str(port) for name, port in self.ports.items()},
            "EDGE_PORTS": " ".join(str(port) for port in edges),
            "STACK_DIR": str(directory),
            "HOLD_SECONDS": str(hold_seconds),
            **settings,
            # Always set, so that one exported in the caller's shell cannot differ.
            "BOOKING_PROCESSES": str(processes),
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['HTTP_PORT']}"

    @property
    def all_ports(self) -> list[int]:
        return [*self.ports.values(), *self.booking_ports[1:], *self.edge_ports]

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a script of the project folder against this stack; never raises on failure."""
        return run_project_script(script, {**self.env, "BASE_URL": self.base_url, **env})

    def start(self) -> ScriptStack:
        result = self.run("start-all.sh")
        assert result.returncode == 0, f"start-all.sh failed:\n{result.stdout}\n{result.stderr}"
        self.start_output = result.stdout + result.stderr
        return self

    def stop(self) -> subprocess.CompletedProcess[str]:
        return self.run("stop-all.sh")

    @property
    def credentials_dir(self) -> Path:
        """Where ``start-all.sh`` keeps the Redis and NATS passwords."""
        return self.directory / "data" / "credentials"

    def password(self, account: str) -> str:
        """The password of ``account`` (e.g. ``nats-booking``) that ``start-all.sh`` made."""
        return (self.credentials_dir / f"{account}.password").read_text().strip()

    def pid(self, name: str) -> int:
        """The pid ``start-all.sh`` recorded for a service (``edge-server-3000``,
        ``booking-service-8080``)."""
        return int((self.directory / "run" / f"{name}.pid").read_text().split()[0])
