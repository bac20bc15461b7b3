"""Settings: environment names, parsing and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from booking_service.events.plans import default_plan
from shared.config import BookingSettings, EdgeSettings

ENVIRONMENT = [name.upper() for name in {*BookingSettings.model_fields, *EdgeSettings.model_fields}]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings under test see only the variables the test sets."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def test_settings_redis_url_accepts_seed_host_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed's REDIS_URL 'localhost:6379' becomes 'redis://localhost:6379'."""
    monkeypatch.setenv("REDIS_URL", "localhost:6379")
    assert BookingSettings().redis_url == "redis://localhost:6379"


def test_settings_redis_url_keeps_full_urls() -> None:
    """A REDIS_URL with a scheme is kept as given."""
    url = "rediss://user:pw@cache.example:6380/2"
    assert BookingSettings(redis_url=url).redis_url == url


def test_settings_hold_seconds_parsed_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """HOLD_SECONDS is read as seconds, fractions allowed, and given to Lua in ms."""
    monkeypatch.setenv("HOLD_SECONDS", "1.5")
    settings = BookingSettings()
    assert settings.hold_seconds == 1.5
    assert settings.hold_ms == 1500


def test_settings_defaults_match_the_spec() -> None:
    """Without environment: port 8080 on 127.0.0.1, 30 s holds, a 10x10 venue."""
    settings = BookingSettings()
    assert (settings.host, settings.port, settings.hold_seconds) == ("127.0.0.1", 8080, 30.0)
    assert len(default_plan(settings).layout) == 100


@pytest.mark.parametrize("value", ["0", "-1", "soon", "7200"])
def test_settings_hold_seconds_rejects_nonsense(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A zero, negative, non-numeric or absurdly long HOLD_SECONDS is refused at start."""
    monkeypatch.setenv("HOLD_SECONDS", value)
    with pytest.raises(ValidationError, match="hold_seconds"):
        BookingSettings()


def test_settings_nats_url_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """NATS_URL may list several servers separated by commas, spaces and blanks ignored."""
    monkeypatch.setenv("NATS_URL", "nats://a:4222, nats://b:4222,,nats://c:4222 ")
    assert BookingSettings().nats_servers() == ["nats://a:4222", "nats://b:4222", "nats://c:4222"]


def test_settings_single_nats_url_is_a_one_item_list() -> None:
    """A single NATS_URL gives one server."""
    assert BookingSettings(nats_url="nats://x:1").nats_servers() == ["nats://x:1"]


def test_settings_venue_size_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """VENUE_ROWS changes the layout without code changes."""
    monkeypatch.setenv("VENUE_ROWS", "27")
    assert default_plan(BookingSettings()).layout.seat_ids[-1] == "AA10"


def test_settings_hold_cap_and_cooldown_defaults() -> None:
    """Without environment: 6 holds per session, and a re-hold cooldown as long as a hold."""
    settings = BookingSettings(hold_seconds=12)
    assert settings.max_holds_per_session == 6
    assert settings.rehold_cooldown_ms == 12_000


def test_settings_rehold_cooldown_parsed_from_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """REHOLD_COOLDOWN_SECONDS is given to Lua in ms; 0 switches the cooldown off."""
    monkeypatch.setenv("REHOLD_COOLDOWN_SECONDS", "2.5")
    monkeypatch.setenv("MAX_HOLDS_PER_SESSION", "3")
    settings = BookingSettings()
    assert (settings.rehold_cooldown_ms, settings.max_holds_per_session) == (2500, 3)
    assert BookingSettings(rehold_cooldown_seconds=0).rehold_cooldown_ms == 0


def test_settings_short_session_secret_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SESSION_SECRET under 32 bytes is refused at start, naming the setting."""
    monkeypatch.setenv("SESSION_SECRET", "x" * 31)
    with pytest.raises(ValidationError, match="SESSION_SECRET must be at least 32 bytes"):
        BookingSettings()


def test_settings_session_secret_of_32_bytes_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SESSION_SECRET of 32 bytes is accepted as given."""
    monkeypatch.setenv("SESSION_SECRET", "x" * 32)
    assert BookingSettings().session_secret == "x" * 32


def test_settings_data_dir_default_is_absolute_under_the_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without DATA_DIR the data directory is the project's data/, whatever the cwd."""
    monkeypatch.chdir(tmp_path)
    data_dir = BookingSettings().data_dir
    assert data_dir.is_absolute()
    assert data_dir == Path(__file__).resolve().parents[2] / "data"


def test_settings_session_ttl_defaults_to_seven_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """Session tokens live 7 days unless SESSION_TTL_SECONDS says otherwise."""
    assert BookingSettings().session_ttl_seconds == 604800
    monkeypatch.setenv("SESSION_TTL_SECONDS", "60")
    assert BookingSettings().session_ttl_seconds == 60


def test_settings_redis_url_lists_cluster_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A comma-separated REDIS_URL names cluster nodes, each bare host:port made a URL."""
    monkeypatch.setenv("REDIS_URL", "10.0.0.1:7000, redis://u:p@10.0.0.2:7001,")
    settings = BookingSettings()
    assert settings.redis_urls() == ["redis://10.0.0.1:7000", "redis://u:p@10.0.0.2:7001"]
    assert settings.uses_redis_cluster


def test_settings_one_redis_url_is_a_single_redis_unless_redis_cluster() -> None:
    """One URL means one Redis; REDIS_CLUSTER=true discovers a cluster from it."""
    assert not BookingSettings().uses_redis_cluster
    assert BookingSettings(redis_cluster=True).uses_redis_cluster


def test_settings_wait_replicas_default_follows_the_topology() -> None:
    """Writes wait for 1 replica on a cluster, none on a single Redis, unless set."""
    assert BookingSettings().wait_replicas == 0
    assert BookingSettings(redis_cluster=True).wait_replicas == 1
    assert BookingSettings(redis_cluster=True, redis_wait_replicas=0).wait_replicas == 0
    assert BookingSettings(redis_wait_replicas=2).wait_replicas == 2


@pytest.mark.parametrize(("name", "value"), [("REDIS_WAIT_TIMEOUT_MS", "0"), ("REDIS_URL", " , ")])
def test_settings_redis_nonsense_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """A WAIT timeout of 0 (wait forever) or a REDIS_URL naming nothing is refused."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        BookingSettings()


def test_settings_edge_signing_secret_from_the_environment_or_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An edge signs with SESSION_SECRET, else with SESSION_SECRET_FILE's bytes, else not."""
    assert EdgeSettings().signing_secret() is None
    secret_file = tmp_path / "session_secret"
    secret_file.write_bytes(b"\x00\xff" * 16)
    monkeypatch.setenv("SESSION_SECRET_FILE", str(secret_file))
    assert EdgeSettings().signing_secret() == b"\x00\xff" * 16
    monkeypatch.setenv("SESSION_SECRET", "s" * 32)
    assert EdgeSettings().signing_secret() == b"s" * 32
    monkeypatch.setenv("SESSION_SECRET", "short")
    with pytest.raises(ValidationError):
        EdgeSettings()
