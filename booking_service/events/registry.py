"""EventRegistry: every concert event, kept in Redis and known to every booking process.

An event lives in Redis under its own hash tag (``booking_service.events.keys``): its
description (``info``), its sale state (``state``, the only part that changes, read by
the seat scripts), its plan JSON (``plan``) and its seats. The set ``events`` names
every event; an event joins it only once everything else is written, so whoever finds
an id there finds the whole event.

Each process holds one ``Event`` (description, plan and seat store) per event. It loads
them all at start, ``refresh()`` re-reads the set and every sale state (``run()`` does
so every ``EVENT_REFRESH_SECONDS``), and ``get()`` looks an id it does not know up in
Redis at once, so an event created through another process is served straight away.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from redis.exceptions import RedisClusterException, RedisError, ResponseError

from booking_service.errors import EventNotFound, StoreUnavailable
from booking_service.events.info import EventInfo, EventState, new_event_id
from booking_service.events.keys import EVENTS_KEY, event_key
from booking_service.events.plans import PlanSource, default_plan
from booking_service.lua_scripts import Scripts
from booking_service.redis_client import RedisClient
from booking_service.replication import Replication
from booking_service.seats import SeatStore
from booking_service.supervisor import FailureStreak
from shared.config import BookingSettings
from shared.identifiers import is_event_id
from shared.plans.layout import SeatLayout
from shared.plans.loading import parse_plan

__all__ = ["DEFAULT_PRICE", "Event", "EventRegistry", "EventSpec"]

logger = logging.getLogger(__name__)

# The default event's price in every category, and its currency.
DEFAULT_PRICE = 45.0
DEFAULT_CURRENCY = "EUR"
DEFAULT_NAME = "Concert"


@dataclass(frozen=True)
class EventSpec:
    """What an operator chooses for a new event (checked by the caller)."""

    name: str
    plan: PlanSource
    prices: Mapping[str, float]
    currency: str
    hold_seconds: float
    starts_at: datetime | None = None
    state: EventState = EventState.ON_SALE


@dataclass(frozen=True)
class Event:
    """One event as this process serves it: description, plan and seat store."""

    info: EventInfo
    plan_json: bytes
    store: SeatStore

    @property
    def id(self) -> str:
        return self.info.id

    @cached_property
    def etag(self) -> str:
        """The plan's entity tag: a hash of its JSON, quoted as HTTP wants it."""
        return f'"{hashlib.sha256(self.plan_json).hexdigest()[:32]}"'


_REDIS_ERRORS = (RedisError, RedisClusterException, OSError)
# Fresh ids tried for a new event before giving up (4 random hex digits each).
_ID_ATTEMPTS = 8
# The keys of the one venue a version without events kept, as venue:{<id>}:<name>.
_VENUE_KEY_NAMES = ("seats", "holds", "expiry", "version", "counts", "cooldown", "digest")
_UNAVAILABLE = "The event store is unavailable; try again shortly"


class EventRegistry:
    """The events of one Redis, as this process knows them."""

    def __init__(self, redis: RedisClient, settings: BookingSettings) -> None:
        self._redis = redis
        self._settings = settings
        self._replication = Replication(
            redis,
            replicas=settings.wait_replicas,
            timeout_ms=settings.redis_wait_timeout_ms,
        )
        self._scripts = Scripts.register(redis, self._replication)
        self._events: dict[str, Event] = {}
        self._loading = asyncio.Lock()
        # Checked now, so a broken DEFAULT_PLAN stops the service before it serves.
        self._default_plan = default_plan(settings)

    @property
    def replication(self) -> Replication:
        """How this registry's writes (and every seat store's) wait for replicas."""
        return self._replication

    @property
    def default_id(self) -> str:
        return self._settings.default_event

    def known(self) -> list[Event]:
        """Every event this process knows, the default first, then by name."""
        return sorted(
            self._events.values(), key=lambda e: (e.id != self.default_id, e.info.name, e.id)
        )

    def stores(self) -> list[SeatStore]:
        """The seat store of every event this process knows."""
        return [event.store for event in self._events.values()]

    def cached(self, event_id: str) -> Event | None:
        """The event if this process knows it already (no Redis round trip)."""
        return self._events.get(event_id)

    async def get(self, event_id: str) -> Event:
        """The event ``event_id``, looked up in Redis if this process does not know it yet.

        Raises EventNotFound for an id no event has, StoreUnavailable if Redis is away.
        """
        event = self._events.get(event_id)
        if event is not None:
            return event
        if not is_event_id(event_id):
            raise EventNotFound(f"No such event: {event_id}")
        async with self._loading:
            event = self._events.get(event_id) or await self._load(event_id)
        if event is None:
            raise EventNotFound(f"No such event: {event_id}")
        return event

    async def refresh(self) -> None:
        """Load events new to this process and re-read every known event's sale state.

        The default event is created first unless it exists, so a process that started
        while Redis was away creates it once Redis answers.
        """
        if self.default_id not in self._events:
            await self._ensure_default()
        try:
            members = await self._redis.smembers(EVENTS_KEY)
            ids = sorted(m.decode() if isinstance(m, bytes) else m for m in members)
            async with self._loading:
                for event_id in ids:
                    if event_id not in self._events:
                        await self._load(event_id)
            known = list(self._events)
            async with self._redis.pipeline(transaction=False) as pipe:
                for event_id in known:
                    pipe.get(event_key(event_id, "state"))
                states = await pipe.execute()
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        for event_id, raw in zip(known, states, strict=True):
            self._note_state(event_id, raw)

    async def run(self) -> None:
        """Refresh every ``EVENT_REFRESH_SECONDS`` until cancelled; a failed round is retried."""
        interval = self._settings.event_refresh_seconds
        failures = FailureStreak("event refresh", first=interval, limit=interval)
        while True:
            try:
                await self.refresh()
            except Exception as exc:
                failures.failed(exc)
            else:
                failures.succeeded()
            await asyncio.sleep(interval)

    async def create(self, spec: EventSpec) -> Event:
        """Store a new event under a fresh id, with its seats; it is listed once all is written."""
        for _ in range(_ID_ATTEMPTS):
            event = await self._write(spec, new_event_id(spec.name))
            if event is not None:
                return event
        raise StoreUnavailable("No free event id for this name; try again")

    async def _write(self, spec: EventSpec, event_id: str) -> Event | None:
        """Store the event as ``event_id`` and list it; None if that id is taken already."""
        info = EventInfo(
            id=event_id,
            name=spec.name,
            state=spec.state,
            starts_at=spec.starts_at,
            hold_seconds=spec.hold_seconds,
            currency=spec.currency,
            prices=dict(spec.prices),
            plan_name=spec.plan.name,
            seats_total=len(spec.plan.layout.seat_ids),
        )
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(event_key(event_id, "info"), info.model_dump_json(), nx=True)
                pipe.set(event_key(event_id, "plan"), spec.plan.plan_json, nx=True)
                pipe.set(event_key(event_id, "marks"), spec.plan.marks_json, nx=True)
                pipe.set(event_key(event_id, "state"), info.state.value, nx=True)
                created, *_ = await pipe.execute()
            if not created:
                return None
            event = Event(info, spec.plan.plan_json, self._store(info, spec.plan.layout))
            # Its replicas confirm the seats, and with them the keys written above.
            await event.store.initialise()
            await self._replication.command(EVENTS_KEY, "SADD", EVENTS_KEY, event_id)
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        self._events[event_id] = event
        logger.info(
            "event created",
            extra={"event": event_id, "plan": spec.plan.name, "seats": info.seats_total},
        )
        return event

    async def set_state(self, event_id: str, state: EventState) -> Event:
        """Set the event's sale state; the seat scripts obey it from the next call on."""
        event = await self.get(event_id)
        try:
            key = event_key(event_id, "state")
            await self._replication.command(key, "SET", key, state.value)
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        logger.info("event state set", extra={"event": event_id, "state": state.value})
        return self._note_state(event.id, state.value.encode()) or event

    async def _ensure_default(self) -> None:
        try:
            if await self._redis.sismember(EVENTS_KEY, self.default_id):
                return
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        await self._adopt_venue_keys()
        plan = self._default_plan
        spec = EventSpec(
            name=DEFAULT_NAME,
            plan=plan,
            prices=dict.fromkeys(plan.layout.categories, DEFAULT_PRICE),
            currency=DEFAULT_CURRENCY,
            hold_seconds=self._settings.hold_seconds,
        )
        if await self._write(spec, self.default_id) is not None:
            return
        # Another process is creating it right now (or crashed half-way): finish listing it.
        async with self._loading:
            existing = self._events.get(self.default_id) or await self._load(
                self.default_id, listed=False
            )
        if existing is None:
            raise StoreUnavailable("The default event is being written; try again shortly")
        try:
            await self._replication.command(EVENTS_KEY, "SADD", EVENTS_KEY, self.default_id)
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc

    async def _adopt_venue_keys(self) -> None:
        """Move the seats a version without events kept (``venue:{<id>}:*``) to the default
        event's keys, so an upgrade keeps every hold and booking."""
        old = f"venue:{{{self.default_id}}}"
        try:
            if not await self._redis.exists(f"{old}:seats") or await self._redis.exists(
                event_key(self.default_id, "seats")
            ):
                return
            for name in _VENUE_KEY_NAMES:
                with contextlib.suppress(ResponseError):  # gone: another process moved it
                    await self._redis.renamenx(f"{old}:{name}", event_key(self.default_id, name))
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        logger.info("venue keys adopted by the default event", extra={"event": self.default_id})

    async def _load(self, event_id: str, *, listed: bool = True) -> Event | None:
        """Read a stored event into this process; None if it is not (or not yet) stored.

        Called with ``_loading`` held. ``listed``: only an event in the set counts, so a
        half-written one is never served.
        """
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.sismember(EVENTS_KEY, event_id)
                pipe.get(event_key(event_id, "info"))
                pipe.get(event_key(event_id, "plan"))
                pipe.get(event_key(event_id, "state"))
                pipe.get(event_key(event_id, "marks"))
                member, raw_info, plan_json, state, marks = await pipe.execute()
        except _REDIS_ERRORS as exc:
            raise StoreUnavailable(_UNAVAILABLE) from exc
        if (listed and not member) or raw_info is None or plan_json is None:
            return None
        info = EventInfo.model_validate_json(raw_info)
        if state is not None:
            info = info.model_copy(update={"state": EventState(state.decode())})
        if event_id == self.default_id:
            # The default event's holds last HOLD_SECONDS as configured now, as they
            # always have, whatever it was when the event was first created.
            info = info.model_copy(update={"hold_seconds": self._settings.hold_seconds})
        # A big plan takes a while to check: off the event loop, so seat calls go on.
        _, layout = await asyncio.to_thread(parse_plan, plan_json, marks)
        event = Event(info, plan_json, self._store(info, layout))
        # Recreates seats Redis lost and, first, whatever derives from them (the digest,
        # the hold counts) if an older version wrote them.
        await event.store.initialise()
        self._events[event_id] = event
        logger.info("event loaded", extra={"event": event_id, "seats": info.seats_total})
        return event

    def _store(self, info: EventInfo, layout: SeatLayout) -> SeatStore:
        hold_ms = max(1, round(info.hold_seconds * 1000))
        return SeatStore(
            self._redis,
            info.id,
            layout,
            hold_ms=hold_ms,
            max_holds=self._settings.max_holds_per_session,
            cooldown_ms=self._settings.cooldown_ms_for(hold_ms),
            scripts=self._scripts,
        )

    def _note_state(self, event_id: str, raw: bytes | None) -> Event | None:
        """Record a sale state read from Redis; the event as it is now."""
        event = self._events.get(event_id)
        if event is None or raw is None:
            return event
        state = EventState(raw.decode())
        if state is not event.info.state:
            event = replace(event, info=event.info.model_copy(update={"state": state}))
            self._events[event_id] = event
        return event
