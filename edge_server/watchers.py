"""Watchers: the concert events this edge watches, each with its mirror and its clients.

Every connection watches exactly one event at a time (the default event until its
``SUBSCRIBE`` names another), as a full or a compact watcher, taking changes one
frame each (seed) or one frame per tick (batched). The registry promises:

- Once a tick's frames are written to every watcher, ``on_sent`` hears the commit
  times of the changes it carried (the fan-out delay metric).
- One ``WatchedEvent`` (one ``VenueMirror``, one ``CartIndex``, one ``Tick``) per
  event id, created on first use; an
  event's changes reach only its own watchers (``broadcast``), and a fresh state reaches
  each watcher in the form it asked for (``broadcast_state``).
- An event nobody has watched for ``linger`` seconds is dropped by ``sweep`` (its mirror
  with it), unless it is the default event, which is kept for as long as the edge runs,
  or its snapshot is being fetched. Until then it keeps following its changes, so a
  client coming back finds it current.

It does no I/O and takes the time as an argument, so it can be tested on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from websockets.asyncio.server import ServerConnection

from edge_server.carts import CartIndex
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror, seat_update_frame, seat_updates_frame
from edge_server.ticks import Tick

__all__ = ["Sent", "WatchedEvent", "Watchers"]

# Hears the commit times (unix seconds) of the changes a tick has just sent.
Sent = Callable[[list[float]], None]


class WatchedEvent:
    """One event's mirror, its watchers, the carts they follow, the changes of its tick
    not yet sent, and its snapshot bookkeeping.

    Watchers are split by how they take changes: ``seed`` ones one ``SEAT_UPDATE``
    frame per change, ``batched`` ones one ``SEAT_UPDATES`` frame per tick; ``compact``
    are those of either kind that asked for the compact ``VENUE_STATE``. Whatever goes
    out goes in version order: changes still in the tick go before a state or later
    changes.
    """

    __slots__ = (
        "batched",
        "carts",
        "compact",
        "event_id",
        "idle_since",
        "loading",
        "mirror",
        "next_poll",
        "on_sent",
        "retry_at",
        "seed",
        "tick",
        "timer",
    )

    def __init__(
        self, event_id: str, mirror: VenueMirror, now: float, on_sent: Sent | None = None
    ) -> None:
        self.event_id = event_id
        self.mirror = mirror
        self.on_sent = on_sent
        self.seed: set[ServerConnection] = set()
        self.batched: set[ServerConnection] = set()
        self.compact: set[ServerConnection] = set()
        self.carts = CartIndex()
        self.tick = Tick()
        # The tick's send, scheduled by its owner (``VenueFeed``) while changes wait.
        self.timer: asyncio.TimerHandle | None = None
        # When the last watcher left (or the event was opened), None while watched.
        self.idle_since: float | None = now
        # The snapshot fetch in flight, if any; its owner clears it when done.
        self.loading: asyncio.Task[None] | None = None
        self.next_poll = 0.0
        self.retry_at = 0.0

    def __len__(self) -> int:
        return len(self.seed) + len(self.batched)

    @property
    def full(self) -> set[ServerConnection]:
        """The watchers that get the full ``VENUE_STATE``."""
        return (self.seed | self.batched) - self.compact

    def state_for(self, connection: ServerConnection) -> bytes | None:
        """The ``VENUE_STATE`` in the form ``connection`` watches in (None before a snapshot)."""
        if connection in self.compact:
            return self.mirror.compact_state()
        return self.mirror.venue_state()

    def flush(self, hub: Hub) -> None:
        """Send the changes waiting in the tick to every watcher now, in order."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        taken = self.tick.take()
        if taken is None:
            return
        changes, version, committed = taken
        if not (self.seed or self.batched):
            # Nobody watches: no frame to build and no fan-out to time, but /stats counts
            # every tick as a broadcast.
            hub.broadcast_to_none()
            return
        if self.seed:
            hub.broadcast_frames([seat_update_frame(change) for change in changes], self.seed)
        if self.batched:
            hub.broadcast(seat_updates_frame(changes, version), self.batched)
        if committed and self.on_sent is not None:
            self.on_sent(committed)

    def broadcast(self, hub: Hub, changes: list[bytes]) -> None:
        """Send change payloads (due from the mirror, in order, the last at the mirror's
        version) to every watcher now, after whatever waits in the tick."""
        if changes and self.mirror.version is not None:
            # Added behind what waits, then all sent now: the delay add() answers is moot.
            self.tick.add(changes, self.mirror.version, 0.0)
        self.flush(hub)

    def broadcast_state(self, hub: Hub) -> None:
        """Send the current state to every watcher: full or compact, as each asked, after
        whatever waits in the tick."""
        self.flush(hub)
        if (full_watchers := self.full) and (full := self.mirror.venue_state()) is not None:
            hub.broadcast(full, full_watchers)
        if self.compact and (compact := self.mirror.compact_state()) is not None:
            hub.broadcast(compact, self.compact)


class Watchers:
    """Watched events by id; see the module docstring for what it promises."""

    def __init__(
        self,
        *,
        default_event: str,
        linger: float,
        make_mirror: Callable[[str], VenueMirror],
        now: float = 0.0,
        on_sent: Sent | None = None,
    ) -> None:
        self.default_event = default_event
        self._linger = linger
        self._make_mirror = make_mirror
        self._on_sent = on_sent
        self._events: dict[str, WatchedEvent] = {}
        self.default = self.open(default_event, now)

    def __iter__(self) -> Iterator[WatchedEvent]:
        return iter(list(self._events.values()))

    def get(self, event_id: str) -> WatchedEvent | None:
        """The event if it is watched (or lingering), else None."""
        return self._events.get(event_id)

    def open(self, event_id: str, now: float) -> WatchedEvent:
        """The event, created with an empty mirror if it is not watched yet."""
        event = self._events.get(event_id)
        if event is None:
            event = WatchedEvent(event_id, self._make_mirror(event_id), now, self._on_sent)
            self._events[event_id] = event
        elif event.idle_since is not None:
            event.idle_since = now
        return event

    def discard(self, event: WatchedEvent) -> None:
        """Forget an event nobody watches (e.g. the booking service does not know it)."""
        if not event and event is not self.default and self._events.get(event.event_id) is event:
            del self._events[event.event_id]

    def join(
        self,
        event: WatchedEvent,
        connection: ServerConnection,
        *,
        compact: bool,
        batch: bool = False,
    ) -> WatchedEvent:
        """Make ``connection`` a watcher of ``event``, full or compact, seed or batched;
        the event joined, which is the one registered under its id should ``event`` have
        been dropped."""
        event = self._events.setdefault(event.event_id, event)
        (event.batched if batch else event.seed).add(connection)
        (event.seed if batch else event.batched).discard(connection)
        if compact:
            event.compact.add(connection)
        else:
            event.compact.discard(connection)
        event.idle_since = None
        return event

    def leave(self, event: WatchedEvent, connection: ServerConnection, now: float) -> None:
        """Stop ``connection`` watching ``event``. Idempotent."""
        event.seed.discard(connection)
        event.batched.discard(connection)
        event.compact.discard(connection)
        if not event and event.idle_since is None:
            event.idle_since = now

    def sweep(self, now: float) -> list[str]:
        """Drop the events unwatched for ``linger`` seconds; the ids dropped."""
        dropped = [
            event.event_id
            for event in self._events.values()
            if event is not self.default
            and event.loading is None
            and event.idle_since is not None
            and now - event.idle_since >= self._linger
        ]
        for event_id in dropped:
            del self._events[event_id]
        return dropped

    def counts(self) -> dict[str, int]:
        """Watchers per event id, as ``/stats`` shows them."""
        return {event_id: len(event) for event_id, event in self._events.items()}
