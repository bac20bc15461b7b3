"""The booking service: seat holds and bookings in Redis, events on NATS, a REST API."""
