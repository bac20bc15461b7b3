"""The session-signing secret, kept in the data directory as ``session_secret``.

Created on first start and checked on every start by ``booking_service.secret_file``.
"""

from __future__ import annotations

from pathlib import Path

from booking_service.secret_file import UnsafeSecretFile, load_or_create
from shared.config import MIN_SECRET_BYTES

__all__ = ["SECRET_FILE", "UnsafeSecretFile", "load_or_create_secret"]

SECRET_FILE = "session_secret"


def load_or_create_secret(data_dir: Path) -> bytes:
    """The signing secret in ``data_dir``, created (with the directory) on first start."""
    return load_or_create(data_dir, SECRET_FILE, what="session secret", min_bytes=MIN_SECRET_BYTES)
