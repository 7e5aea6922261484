"""Files that hold members' data are private: the database, its backups, case-log exports.

A file the bot makes is created 0600: owner read and write, and a stricter umask still takes
more away (it is never widened). A copy or an export is written whole, to a private
`NAME.partial` beside it, then renamed into place. A file that already exists keeps its mode
(its owner may have chosen it), with one warning line when other local users may open it.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600  # owner read and write; the umask may take more away, never add


def current_umask() -> int:
    """The process's umask, read without changing it where Linux says it (os.umask alone
    sets it, and another thread could create a file in that moment)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o077)
    os.umask(old)
    return old


def warn_if_open_to_others(path: str | os.PathLike[str], *, hint: str = "") -> bool:
    """Log one line naming the file and its mode when group or others may open it; the
    file is left as it is. True when it warned."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return False
    return _warn(str(path), mode, hint)


def warn_if_stream_open_to_others(stream: IO[Any], *, hint: str = "") -> bool:
    """The same for a stream the shell opened for us (`> cases.jsonl`): one line when it is
    a regular file that others may open. A terminal or a pipe is nobody's file."""
    try:
        fd = stream.fileno()
        st = os.fstat(fd)
    except (OSError, ValueError, AttributeError):
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    try:
        name = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        name = getattr(stream, "name", "the output file")
    return _warn(str(name), stat.S_IMODE(st.st_mode), hint)


def _warn(name: str, mode: int, hint: str) -> bool:
    if not mode & 0o077:
        return False
    log.warning(f"{name} has mode {mode:04o}: other local users may open it, and it holds "
                f"members' data. Left as it is; run chmod 600 on it to make it private"
                f"{hint}.", extra={"file": name, "mode": f"{mode:04o}"})
    return True


def create_private(path: str | os.PathLike[str]) -> bool:
    """Create an empty file at `path`, 0600 less the umask's bits. False (and nothing done)
    when something is there already."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def final_mode(dest: Path) -> int:
    """The mode a file written at `dest` ends with: an existing file's own mode (with a
    warning when others may open it), else 0600 less the umask's bits."""
    if dest.exists():
        warn_if_open_to_others(dest)
        return stat.S_IMODE(dest.stat().st_mode)
    return PRIVATE_MODE & ~current_umask()


@contextmanager
def written_privately(dest: Path) -> Iterator[Path]:
    """Yield a private temporary path beside `dest` to write the whole file to. When the
    block ends, the file takes its final mode (`final_mode`) and replaces `dest`; when it
    raises, the temporary file is removed and `dest` is untouched. OSError passes through."""
    tmp = dest.with_name(dest.name + ".partial")
    mode = final_mode(dest)
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # writable while we write, whatever the umask
    finally:
        os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
