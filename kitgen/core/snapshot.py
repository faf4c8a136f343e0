"""One snapshot of the library's compiled and parsed forms, kept between runs (issue 16).

A build compiles ~1,500 clause texts and ~100 conditions in kitgen's template sandbox and parses
the library's YAML (clauses, catalog, packs, questions, defaults, laws, dossier texts). The results
depend only on the inputs' bytes and on the versions involved, so they are kept in one file in the
user's cache folder and loaded in one read by the next run:

- **entries** are keyed by kind and by a hash of their input (a template's text, a YAML file's bytes
  and name); the file as a whole is keyed by the versions (kitgen, Jinja, PyYAML, Python, the
  sandbox's) — they are in its name, so interpreters sharing a cache folder never see each other's;
- **safe**: the snapshot holds code objects (compiled templates), so it is loaded only when nobody
  else could have written it. The folder must be a real folder (not a link) owned by this user with
  mode 0700, the snapshot and the key regular files owned by this user that no one else may write
  (0600), opened without following links; and the snapshot carries an HMAC-SHA256 under a random
  per-user key kept in that folder, checked before a byte of it is unmarshalled. A snapshot that
  fails any of this — foreign, tampered, truncated, from another version — is ignored (and replaced
  by the next save), never executed. ``marshal`` (not pickle) holds the values: loading it runs no
  code of its own;
- **atomic**: written to a temporary file in the folder and renamed over the old one; concurrent
  builds at worst each write their own, the last one wins;
- ``KITGEN_NO_CACHE=1`` turns it off; ``KITGEN_CACHE_DIR`` names the folder (default
  ``$XDG_CACHE_HOME/kitgen/snapshot`` or ``~/.cache/kitgen/snapshot``, made 0700); a folder that cannot
  be used (read-only home, wrong owner or mode) simply means no snapshot.

Nothing of a kit is kept: only what a library's texts and files compile or parse to.
"""
from __future__ import annotations

import atexit
import hashlib
import hmac
import marshal
import os
import stat
import sys
import tempfile
import threading
from typing import Any

FORMAT = 1
MAGIC = b"KGSNAP1\n"
KEY_NAME = "snapshot.key"
MAX_BYTES = 64 * 1024 * 1024          # a snapshot larger than this is not read (and is rewritten smaller)
MAX_ENTRIES = 12_000                  # beyond this (~11 MB, 0.15 s to load), a save keeps what this run used
_MAC = hashlib.sha256().digest_size

_LOCK = threading.Lock()
_STATE: "_Snapshot | None" = None
_PID = 0


def digest(*parts: bytes | str) -> str:
    """The key of an entry: a hash of its inputs."""
    h = hashlib.blake2b(digest_size=20)
    for p in parts:
        b = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def cache_dir() -> str | None:
    """The user's kitgen cache folder (not created), or None when caching is off."""
    if os.environ.get("KITGEN_NO_CACHE"):
        return None
    base = os.environ.get("KITGEN_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME")
        home = os.path.expanduser("~")
        if not xdg and (not home or home == "~"):
            return None
        # a folder of its own inside ~/.cache/kitgen: that one may be an older kitgen's, made with
        # the umask's mode (0755), which the snapshot's folder may not have
        base = os.path.join(xdg or os.path.join(home, ".cache"), "kitgen", "snapshot")
    return base


def _versions() -> str:
    import jinja2
    import yaml

    from kitgen._version import __version__
    return repr((FORMAT, __version__, jinja2.__version__, yaml.__version__, sys.implementation.cache_tag,
                 sys.version, marshal.version))


def _own_folder(path: str, create: bool) -> bool:
    """``path`` is a real folder of this user that nobody else can write or read (0700)."""
    euid = os.geteuid() if hasattr(os, "geteuid") else None
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not create:
            return False
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            os.mkdir(path, 0o700)
            st = os.lstat(path)
        except OSError:
            return False
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):            # a link (even to a folder of ours) or a file
        return False
    if euid is None:                            # no POSIX owners (Windows): the profile folder's ACLs
        return True
    return st.st_uid == euid and stat.S_IMODE(st.st_mode) & 0o077 == 0


def _open_own(path: str, flags: int = os.O_RDONLY):
    """A file object for a regular file of this user that no one else may write, or None."""
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        ok = stat.S_ISREG(st.st_mode) and st.st_size <= MAX_BYTES
        if ok and hasattr(os, "geteuid"):
            ok = st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & 0o077 == 0
        if not ok:
            os.close(fd)
            return None
        return os.fdopen(fd, "rb")
    except OSError:
        os.close(fd)
        return None


def _key(folder: str, create: bool) -> bytes | None:
    """The per-user key that signs snapshots (made on first use, 0600)."""
    path = os.path.join(folder, KEY_NAME)
    fh = _open_own(path)
    if fh is not None:
        with fh:
            key = fh.read(65)
        if len(key) == 32:
            return key
        return None                              # not our key: no snapshot rather than a wrong one
    if not create:
        return None
    key = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:                      # another build made it meanwhile
        return _key(folder, False)
    except OSError:
        return None
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


class _Snapshot:
    def __init__(self, folder: str | None):
        self.folder = folder
        self.entries: dict[str, dict[str, bytes]] = {}     # kind → key → marshalled value
        self.used: set[tuple[str, str]] = set()
        self.added: dict[tuple[str, str], bytes] = {}
        self.versions = _versions()
        self.name = "library-" + hashlib.sha256(self.versions.encode()).hexdigest()[:16] + ".snap"
        self.loaded_from: str | None = None
        if folder is not None:
            self._load()

    @property
    def path(self) -> str | None:
        return os.path.join(self.folder, self.name) if self.folder else None

    def _load(self) -> None:
        if not _own_folder(self.folder, create=False):
            return
        key = _key(self.folder, create=False)
        if key is None:
            return
        fh = _open_own(self.path)
        if fh is None:
            return
        with fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES or not data.startswith(MAGIC) or len(data) < len(MAGIC) + _MAC:
            return
        mac, body = data[len(MAGIC):len(MAGIC) + _MAC], data[len(MAGIC) + _MAC:]
        if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()):
            return                               # tampered, truncated, or signed by another key
        try:
            versions, entries = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            return
        if versions != self.versions or not isinstance(entries, dict):
            return
        self.entries = entries
        self.loaded_from = self.path

    def get(self, kind: str, key: str) -> Any:
        raw = self.entries.get(kind, {}).get(key)
        if raw is None:
            raw = self.added.get((kind, key))
            if raw is None:
                return None
        try:
            value = marshal.loads(raw)
        except (ValueError, EOFError, TypeError):
            return None
        self.used.add((kind, key))
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.folder is None:
            return
        try:
            raw = marshal.dumps(value)
        except ValueError:                       # a value marshal cannot hold (a date in a YAML file …)
            return
        self.added[(kind, key)] = raw
        self.used.add((kind, key))

    def save(self) -> bool:
        """Write the snapshot when this run compiled or parsed something new."""
        if self.folder is None or not self.added:
            return False
        entries: dict[str, dict[str, bytes]] = {}
        count = sum(len(v) for v in self.entries.values()) + len(self.added)
        for kind, items in self.entries.items():
            for k, raw in items.items():
                if count <= MAX_ENTRIES or (kind, k) in self.used:
                    entries.setdefault(kind, {})[k] = raw
        for (kind, k), raw in self.added.items():
            entries.setdefault(kind, {})[k] = raw
        body = marshal.dumps((self.versions, entries))
        if len(body) > MAX_BYTES - 1024:
            return False
        if not _own_folder(self.folder, create=True):
            return False
        key = _key(self.folder, create=True)
        if key is None:
            return False
        data = MAGIC + hmac.new(key, body, hashlib.sha256).digest() + body
        try:
            fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=self.folder)    # 0600
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return False
        self.entries = entries
        self.added = {}
        return True


def current() -> _Snapshot:
    """This process's snapshot (loaded on first use; a forked worker shares its parent's)."""
    global _STATE, _PID
    with _LOCK:
        if _STATE is None:
            _STATE = _Snapshot(cache_dir())
            _PID = os.getpid()
            atexit.register(_save_at_exit)
        return _STATE


def _save_at_exit() -> None:
    if _STATE is not None and os.getpid() == _PID:
        try:
            _STATE.save()
        except Exception:  # noqa: BLE001 - a cache must never fail a command
            pass


def get(kind: str, key: str) -> Any:
    return current().get(kind, key)


def put(kind: str, key: str, value: Any) -> None:
    current().put(kind, key, value)


def save() -> bool:
    """Write what this run added (a build calls it when done; otherwise it happens at exit)."""
    if _STATE is None:
        return False
    try:
        return _STATE.save()
    except Exception:  # noqa: BLE001 - a cache must never fail a build
        return False


def reset() -> None:
    """Forget the loaded snapshot (tests; a changed KITGEN_CACHE_DIR)."""
    global _STATE
    with _LOCK:
        _STATE = None


__all__ = ["cache_dir", "current", "digest", "get", "put", "reset", "save"]
