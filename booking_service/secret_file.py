"""Secrets kept as files in the data directory: the session secret, the operator token.

Each file is created once, atomically: a private temporary file in the same directory
is written and flushed to disk, then hard-linked into place, which fails rather than
replaces when another process got there first. So processes starting together all end
up with one secret, and nobody ever reads a half-written one. The file is opened
without following symlinks and must be a regular file owned by the current user with
no access for group or others (mode 0600); anything else is refused at start.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

__all__ = ["UnsafeSecretFile", "load_or_create"]

logger = logging.getLogger(__name__)

_MAX_SECRET_BYTES = 4096


class UnsafeSecretFile(RuntimeError):
    """The secret file is a symlink, not ours, readable by others, or too short."""


def load_or_create(data_dir: Path, name: str, *, what: str, min_bytes: int) -> bytes:
    """The secret in ``data_dir/name``, created (with the directory) on first start.

    ``what`` names the secret in errors and logs ("session secret"); a file holding
    fewer than ``min_bytes`` is refused.
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / name
    try:
        return _read(path, what=what, min_bytes=min_bytes)
    except FileNotFoundError:
        pass
    if _create(path):
        logger.info("created %s", what, extra={"path": str(path)})
    return _read(path, what=what, min_bytes=min_bytes)


def _create(path: Path) -> bool:
    """Link a new secret into place; False if one already existed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        _fsync_directory(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _read(path: Path, *, what: str, min_bytes: int) -> bytes:
    """The secret in ``path``, after checking the file is safe to trust."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeSecretFile(f"{what} {path} is a symlink; refusing it") from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeSecretFile(f"{what} {path} is not a regular file")
        if info.st_uid != os.geteuid():
            raise UnsafeSecretFile(f"{what} {path} is owned by uid {info.st_uid}, not us")
        if info.st_mode & 0o077:
            mode = stat.S_IMODE(info.st_mode)
            raise UnsafeSecretFile(f"{what} {path} has mode {mode:o}; it must be 600")
        secret = handle.read(_MAX_SECRET_BYTES).strip()
    if len(secret) < min_bytes:
        raise UnsafeSecretFile(f"{what} {path} is shorter than {min_bytes} bytes")
    return secret


def _fsync_directory(directory: Path) -> None:
    """Make the new directory entry durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
