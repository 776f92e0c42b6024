"""Files written whole or not at all, and files that cannot be read, said plainly: what every
writer of the course uses (checkpoints and exports, ``checkpoints``; figures and results,
``results``; the procedural faces' cache, ``faces``; prepared datasets, ``prepare``).

``writing(path)`` gives an open file under a temporary name beside ``path`` and renames it to
``path`` only once it is complete, so a run stopped half-way, a full disk or a read-only folder
never leaves a half-written file where the course looks: the temporary file is removed, the
previous ``path`` stays as it was, and ``SaveError`` says what happened and what to do.
``unreadable(path, error)`` says why a file the course reads is not what it should be.
"""

from __future__ import annotations

import contextlib
import errno
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

FULL = {errno.ENOSPC, errno.EDQUOT}
NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}


class SaveError(OSError):
    """A file could not be written; nothing half-written was left, and the message says why and
    what to do."""


_write = io.FileIO.write  # every write of ``writing`` goes through here (the tests fill the disk)


class _File(io.FileIO):
    """A file that remembers why a write failed: ``torch.save`` turns the ``OSError`` into a
    ``RuntimeError`` that no longer says the disk is full."""

    failure: OSError | None = None

    def write(self, data) -> int:  # type: ignore[override]
        try:
            return _write(self, data)
        except OSError as error:
            self.failure = error
            raise


def _free(folder: Path) -> str:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    with contextlib.suppress(OSError):
        return f"{shutil.disk_usage(folder).free / 1e6:,.0f} MB free there"
    return "free space unknown"


def why_not_saved(path: Path, error: BaseException, then: str, removed: str = "") -> str:
    """The message for ``path``, which could not be written because of ``error``: why, that
    nothing half-written is left (``removed`` says what was cleared), and what to do, ending with
    ``then``, what to run again."""
    number = getattr(error, "errno", None)
    if number in FULL:
        reason = f"the disk is full ({_free(path.parent)})"
        fix = "Free some space (old checkpoints in files/, data you no longer use), then "
    elif number in NOT_ALLOWED:
        reason = f"{path.parent} cannot be written here (read-only, or not yours)"
        fix = "Make it writable or work in a copy of the course of your own, then "
    else:
        reason = f"{type(error).__name__}: {error}"
        fix = "Check the disk and the folder, then "
    return f"Could not save {path}: {reason}. Nothing half-written is left{removed}. {fix}{then}."


@contextlib.contextmanager
def writing(path: Path, then: str = "run the cell again") -> Iterator[io.FileIO]:
    """An open binary file that becomes ``path`` (its folder made if needed) when the ``with``
    block ends without error. On an error the temporary file is removed and ``path`` stays as it
    was; a failed write (a full disk, a folder not writable) raises ``SaveError`` saying so, and
    ``then`` what to do after fixing it; anything else (an interrupt) is raised as it was."""
    partial = path.with_name(path.name + ".partial")
    file = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _File(partial, "wb") as file:
            yield file
        partial.replace(path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        failure = error if isinstance(error, OSError) else getattr(file, "failure", None)
        if failure is None or isinstance(error, KeyboardInterrupt):
            raise
        kept = f"; the previous {path.name} is as it was" if path.exists() else ""
        removed = f" (the temporary {partial.name} was removed{kept})"
        raise SaveError(why_not_saved(path, failure, then, removed)) from error


def unreadable(path: Path, error: BaseException, then: str) -> str:
    """Why the file at ``path`` could not be read (``error``: what the reader raised), then
    ``then``: what to do."""
    with open(path, "rb") as file:
        start = file.read(4)
    if not start:
        what = "it is empty (0 bytes): a save or a copy that stopped at once"
    elif "Weights only load failed" in str(error):
        what = ("it holds Python objects, not only tensors and plain data; the course loads "
                "files with weights_only=True, which refuses to run code from a file")
    elif start.startswith(b"PK"):
        what = ("it is a damaged or incomplete PyTorch file (truncated: a save or a copy that "
                f"stopped half-way, {path.stat().st_size:,} bytes)")
    else:
        what = f"it is not a PyTorch file ({type(error).__name__}: {str(error)[:80]})"
    return f"{path} cannot be read: {what}. {then}"
