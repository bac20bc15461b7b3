"""``python -m booking_service``: settings → logging → uvicorn."""

from __future__ import annotations

import uvicorn

from shared.config import BookingSettings
from shared.logging import configure_logging


def main() -> None:
    settings = BookingSettings()
    configure_logging(settings.log_level, service="booking-service")
    uvicorn.run(
        "booking_service.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="booking_service.http_protocol:HttpProtocol",
        # The only WebSocket is the operator's live socket, which takes small frames.
        ws="websockets-sansio",
        ws_max_size=settings.live_max_message_bytes,
        lifespan="on",
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
