"""Settings of both services, read from the environment here and nowhere else.

Entry points build a settings object once (``BookingSettings()`` / ``EdgeSettings()``)
and pass it down; nothing reads ``os.environ`` at import time, so tests pass values
directly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.identifiers import EVENT_ID_PATTERN

__all__ = [
    "DEFAULT_DATA_DIR",
    "MIN_ADMIN_TOKEN_BYTES",
    "MIN_SECRET_BYTES",
    "BookingSettings",
    "EdgeSettings",
    "OperatorCliSettings",
    "ServiceSettings",
]

# Where the booking service keeps its files unless DATA_DIR says otherwise: under the
# project, whatever directory the process was started from.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# The shortest session-signing secret accepted, from SESSION_SECRET or the data dir.
MIN_SECRET_BYTES = 32
# The shortest operator token accepted, from ADMIN_TOKEN or the data dir.
MIN_ADMIN_TOKEN_BYTES = 16


def _long_enough_secret(value: str | None) -> str | None:
    if value is not None and len(value.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"SESSION_SECRET must be at least {MIN_SECRET_BYTES} bytes")
    return value


class ServiceSettings(BaseSettings):
    """What every service takes: where it listens, NATS, the default event and logging."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    nats_url: str = "nats://localhost:4222"
    # The event the seed's calls and subjects act on (/api/seats, seats.held, ...), and
    # the one an edge connection watches until its SUBSCRIBE names another.
    default_event: str = Field("main", pattern=EVENT_ID_PATTERN)
    log_level: str = Field("info", pattern=r"(?i)^(debug|info|warning|error)$")

    def nats_servers(self) -> list[str]:
        """``NATS_URL`` split on commas, so a cluster can be given as a list."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]


class BookingSettings(ServiceSettings):
    """The booking service: Redis, the default event, holds, sessions and the HTTP API."""

    port: int = Field(8080, ge=1, le=65535)
    # One Redis, or several comma-separated nodes of a Redis Cluster.
    redis_url: str = "redis://localhost:6379"
    # Talk to a Redis Cluster even through one node's URL (several URLs imply it).
    redis_cluster: bool = False
    # Replicas that must have a write before it is acknowledged (WAIT after the script);
    # unset means 1 on a cluster and 0 (no WAIT) on a single Redis.
    redis_wait_replicas: int | None = Field(None, ge=0, le=16)
    # How long a write waits for those replicas before it is answered with 503.
    redis_wait_timeout_ms: int = Field(500, ge=1, le=10_000)
    # The default event's plan, created at first start: a shipped plan's name (a file
    # venues/<name>.json in PLANS_DIR), or empty for a VENUE_ROWS x VENUE_COLS grid hall.
    default_plan: str = Field("", pattern=r"^[A-Za-z0-9_-]{0,64}$")
    venue_rows: int = Field(10, ge=1, le=702)
    venue_cols: int = Field(10, ge=1, le=999)
    # Where shipped plans live; unset means the project's venues/.
    plans_dir: Path | None = None
    # The default event's hold length; other events carry their own.
    hold_seconds: float = Field(30.0, gt=0, le=3600)
    # Holds one session (or one tokenless user id) may have at once.
    max_holds_per_session: int = Field(6, ge=1, le=10_000)
    # How long an owner must wait to re-take a seat its own hold on lapsed; unset means
    # HOLD_SECONDS, 0 switches it off.
    rehold_cooldown_seconds: float | None = Field(None, ge=0, le=3600)
    # The deadline a cart gets, from the moment of its one checkout extension.
    checkout_seconds: float = Field(300.0, gt=0, le=7200)
    workers: int = Field(1, ge=1, le=64)
    data_dir: Path = DEFAULT_DATA_DIR
    session_secret: str | None = None
    # The operator token of /api/admin/*; unset means the one kept in DATA_DIR/admin_token.
    admin_token: str | None = None
    session_ttl_seconds: int = Field(7 * 24 * 3600, ge=1, le=366 * 24 * 3600)
    allow_tokenless_writes: bool = True
    heartbeat_seconds: float = Field(0.5, gt=0, le=10)
    max_body_bytes: int = Field(4096, ge=256, le=1 << 20)
    # Redis connections one process may open: one per request in flight. Past it a
    # request gets 503 at once (redis-py's own default, 100, is below an on-sale's burst).
    redis_max_connections: int = Field(1000, ge=1, le=10_000)
    # The largest operator request body: a new event carries its whole plan.
    max_plan_bytes: int = Field(32 << 20, ge=4096, le=256 << 20)
    # How often each process re-reads the list of events and their sale states.
    event_refresh_seconds: float = Field(1.0, gt=0, le=60)
    # The largest frame an operator may send on the live socket (/api/admin/live).
    live_max_message_bytes: int = Field(4096, ge=256, le=1 << 20)

    @field_validator("redis_url")
    @classmethod
    def _accept_bare_host_port(cls, value: str) -> str:
        """Accept the seed's ``localhost:6379`` as well as a ``redis://`` URL, for each
        node of a comma-separated list."""
        urls = [url.strip() for url in value.split(",") if url.strip()]
        if not urls:
            raise ValueError("REDIS_URL names no Redis")
        return ",".join(url if "://" in url else f"redis://{url}" for url in urls)

    def redis_urls(self) -> list[str]:
        """``REDIS_URL`` split on commas: one Redis, or the nodes to discover a cluster from."""
        return self.redis_url.split(",")

    @property
    def uses_redis_cluster(self) -> bool:
        """Whether Redis is a cluster: ``REDIS_CLUSTER`` or several URLs in ``REDIS_URL``."""
        return self.redis_cluster or len(self.redis_urls()) > 1

    @property
    def wait_replicas(self) -> int:
        """How many replicas must confirm a write before it is acknowledged (0: none)."""
        if self.redis_wait_replicas is not None:
            return self.redis_wait_replicas
        return 1 if self.uses_redis_cluster else 0

    @field_validator("session_secret")
    @classmethod
    def _secret_long_enough(cls, value: str | None) -> str | None:
        """A secret given in the environment must be at least MIN_SECRET_BYTES long."""
        return _long_enough_secret(value)

    @field_validator("admin_token")
    @classmethod
    def _token_long_enough(cls, value: str | None) -> str | None:
        """A token given in the environment must be at least MIN_ADMIN_TOKEN_BYTES long;
        an empty one counts as unset."""
        if not value:
            return None
        if len(value.encode()) < MIN_ADMIN_TOKEN_BYTES:
            raise ValueError(f"ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN_BYTES} bytes")
        return value

    @property
    def hold_ms(self) -> int:
        """The hold length in milliseconds, as the Lua scripts take it."""
        return max(1, round(self.hold_seconds * 1000))

    @property
    def checkout_ms(self) -> int:
        """The checkout extension in milliseconds, as the Lua scripts take it."""
        return max(1, round(self.checkout_seconds * 1000))

    @property
    def rehold_cooldown_ms(self) -> int:
        """The default event's re-hold cooldown in milliseconds (0: none)."""
        return self.cooldown_ms_for(self.hold_ms)

    def cooldown_ms_for(self, hold_ms: int) -> int:
        """The re-hold cooldown (ms, 0: none) of an event whose holds last ``hold_ms``."""
        if self.rehold_cooldown_seconds is None:
            return hold_ms
        return round(self.rehold_cooldown_seconds * 1000)


class EdgeSettings(ServiceSettings):
    """An edge server: where it listens, the booking service it relays to, and its limits."""

    port: int = Field(3000, ge=1, le=65535)
    booking_service_url: str = "http://localhost:8080"
    # How long an event's mirror is kept after its last watcher left.
    mirror_linger_seconds: float = Field(30.0, ge=0, le=3600)
    # Comma-separated Origin header values a browser may connect from; empty allows any.
    allowed_origins: str = ""
    max_message_bytes: int = Field(4096, ge=256, le=1 << 20)
    rate_limit_per_second: float = Field(20.0, gt=0)
    rate_limit_burst: int = Field(40, ge=1)
    # Messages refused by the rate limit in a row before the connection is closed (1008).
    rate_limit_strikes: int = Field(40, ge=1)
    # Bytes a client may leave unread in its outgoing buffer before it is dropped (1013).
    slow_client_bytes: int = Field(256 * 1024, ge=4096)
    # SO_SNDBUF of each client socket, so the kernel cannot hide a stalled client behind
    # megabytes of its own buffering; 0 leaves the kernel's autotuning on.
    send_buffer_bytes: int = Field(64 * 1024, ge=0)
    ping_interval: float = Field(20.0, gt=0)
    ping_timeout: float = Field(20.0, gt=0)
    booking_timeout: float = Field(3.0, gt=0, le=60)
    # How long a version gap may stay open before the edge fetches a fresh snapshot.
    gap_timeout: float = Field(0.2, gt=0, le=10)
    # How often the edge polls the snapshot while NATS is unreachable.
    poll_interval: float = Field(1.0, gt=0, le=60)
    # How often the edge tells the booking service its connection counts (edges.census).
    census_seconds: float = Field(2.0, gt=0, le=60)
    # The booking service's signing secret, given as itself or as its file (the booking
    # service's DATA_DIR/session_secret): with it the edge starts and resumes sessions
    # itself (edge_server.sessions); without, it asks the booking service each time.
    session_secret: str | None = None
    session_secret_file: Path | None = None
    session_ttl_seconds: int = Field(7 * 24 * 3600, ge=1, le=366 * 24 * 3600)

    @field_validator("session_secret")
    @classmethod
    def _secret_long_enough(cls, value: str | None) -> str | None:
        """A secret given in the environment must be at least MIN_SECRET_BYTES long."""
        return _long_enough_secret(value)

    def signing_secret(self) -> bytes | None:
        """The session-signing secret, read from ``session_secret_file`` if that is what
        was given; None when neither is."""
        if self.session_secret is not None:
            return self.session_secret.encode()
        if self.session_secret_file is None:
            return None
        return self.session_secret_file.read_bytes()

    def origins(self) -> list[str] | None:
        """``ALLOWED_ORIGINS`` as a list, or None when any origin is allowed."""
        values = [origin.strip() for origin in self.allowed_origins.split(",") if origin.strip()]
        return values or None


class OperatorCliSettings(BaseSettings):
    """The operator CLI (``python -m booking_service.admin``): the token it sends.

    ``ADMIN_TOKEN`` when set; otherwise the CLI reads the token file (``--token-file``,
    by default the one the booking service keeps in ``DATA_DIR``).
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    admin_token: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    booking_service_url: str = "http://localhost:8080"
