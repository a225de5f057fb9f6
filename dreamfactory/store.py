"""The store: content-addressed artifacts on any fsspec filesystem (a local folder by default, or s3://).

Two kinds of object live here:
- immutable objects at keys derived from their inputs (renders, phase outputs, films, manifests): written
  once, atomically, never overwritten; a second writer of the same key keeps the first one's object;
- heads, the few mutable documents a person edits or reads first (the working screenplay, the film
  history): changed only by compare-and-swap, so a writer that read an older version never overwrites a newer one.
  A local folder swaps under an exclusive lock (flock) beside the head; S3 by conditional PUTs (If-Match on the
  ETag read, If-None-Match: * for a new head), and an endpoint that ignores them is refused before the first swap.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from fsspec.asyn import sync
from fsspec.core import url_to_fs
from pydantic import BaseModel, ValidationError

from .errors import ConflictError, StoreError

M = TypeVar("M", bound=BaseModel)


def digest(value: Any) -> str:
    """sha256 of a value's canonical JSON (sorted keys, no whitespace): the basis of every key."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def first_line(exc: BaseException) -> str:
    """An exception's first line (at most 300 characters), for a one-line error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


class Store:
    """Artifacts of every project under one root URL."""

    def __init__(self, url: str, *, cache_dir: str | Path | None = None, storage_options: dict | None = None):
        self.url = str(url).rstrip("/") or "/"
        try:
            self.fs, root = url_to_fs(self.url, **(storage_options or {}))
        except (ImportError, ValueError) as exc:
            raise StoreError(f"store {self.url}: cannot open it ({first_line(exc)})") from exc
        self.root = root.rstrip("/")
        self.is_local = "file" in (self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,))
        default_cache = Path(tempfile.gettempdir()) / "dreamfactory-cache"
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- paths -------------------------------------------------------------------------------------------
    def path(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise StoreError(f"store {self.url}: invalid key {key!r}")
        return f"{self.root}/{key}"

    def location(self, key: str) -> str:
        """Where a person finds the object: a local path, or the full URL."""
        return self.path(key) if self.is_local else f"{self.url}/{key}"

    def _guard(self, action: str, key: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except FileNotFoundError as exc:
            what = first_line(exc)
            if "bucket" in what.lower():
                raise StoreError(f"store {self.url}: the bucket does not exist ({what}); create it first") from exc
            raise StoreError(f"store {self.url}: {key} is missing") from exc
        except PermissionError as exc:
            raise StoreError(f"store {self.url}: no permission to {action} {key} ({first_line(exc)})") from exc
        except OSError as exc:
            if getattr(exc, "errno", None) == 28:
                raise StoreError(f"store {self.url}: disk full while trying to {action} {key}") from exc
            raise StoreError(f"store {self.url}: cannot {action} {key} ({first_line(exc)})") from exc
        except Exception as exc:  # botocore/aiohttp errors of remote stores have no common base class
            raise StoreError(f"store {self.url}: cannot {action} {key} ({type(exc).__name__}: {first_line(exc)})") from exc

    def check(self) -> None:
        """Fail early, with the store's name, when it cannot be reached or written."""
        probe = f".probe-{uuid.uuid4().hex}"
        if self.is_local:
            self._guard("create", self.root, os.makedirs, self.root, exist_ok=True)
        self._guard("write to", probe, self.fs.pipe_file, self.path(probe), b"ok")
        self._guard("delete", probe, self.fs.rm_file, self.path(probe))

    # -- reading -----------------------------------------------------------------------------------------
    def exists(self, key: str) -> bool:
        return bool(self._guard("look up", key, self.fs.exists, self.path(key)))

    def read_bytes(self, key: str) -> bytes:
        return self._guard("read", key, self.fs.cat_file, self.path(key))

    def read_json(self, key: str) -> Any:
        return json.loads(self.read_bytes(key))

    def read_model(self, key: str, model: type[M]) -> M:
        try:
            return model.model_validate_json(self.read_bytes(key))
        except ValidationError as exc:
            raise StoreError(f"store {self.url}: {key} is not a valid {model.__name__}: {exc.errors()[0]['msg']}") from exc

    def list(self, prefix: str) -> list[str]:
        """Keys below a prefix, sorted; [] when there are none."""
        base = self.path(prefix.rstrip("/"))

        def find():
            try:
                return self.fs.find(base)
            except FileNotFoundError:
                return []

        found = self._guard("list", prefix, find)
        start = len(self.root) + 1
        return sorted(p[start:] if p.startswith(self.root + "/") else p for p in found)

    def local_file(self, key: str) -> Path:
        """A local path holding the object: the object itself in a local store, else a cached download."""
        if self.is_local:
            path = Path(self.path(key))
            if not path.exists():
                raise StoreError(f"store {self.url}: {key} is missing")
            return path
        target = self.cache_dir / hashlib.sha256(f"{self.url}/{key}".encode()).hexdigest()[:24] / Path(key).name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(target.name + f".part-{uuid.uuid4().hex}")
            self._guard("download", key, self.fs.get_file, self.path(key), str(part))
            os.replace(part, target)
        return target

    # -- writing -----------------------------------------------------------------------------------------
    def put_bytes(self, key: str, data: bytes) -> bool:
        """Write an immutable object. Returns False (and writes nothing) when the key already exists."""
        return self._put(key, data=data)

    def put_file(self, key: str, local_path: str | Path) -> bool:
        """Write an immutable object from a local file. False when the key already exists."""
        return self._put(key, source=Path(local_path))

    def _put(self, key: str, **what) -> bool:
        if self.exists(key):
            return False
        self._guard("write", key, self._atomic_write, key, **what)
        return True

    def put_json(self, key: str, value: Any) -> bool:
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json")
        return self.put_bytes(key, json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode())

    def put_same(self, key: str, data: bytes) -> bool:
        """Immutable write that also proves a present object is the same; ConflictError if it is not."""
        if self.exists(key) and sha256_bytes(self.read_bytes(key)) != sha256_bytes(data):
            raise ConflictError(f"store {self.url}: {key} already holds different content; it is never overwritten")
        return self._put(key, data=data)

    def set_head(self, key: str, data: bytes) -> bool:
        """Make `data` the head, whatever it was (by compare-and-swap, so no write is torn); True when it wrote."""
        return self.update_head(key, lambda current: data)[1]

    # -- heads: compare-and-swap -------------------------------------------------------------------------
    def read_head(self, key: str) -> tuple[bytes | None, str | None]:
        """A head's content and the version a swap names: (None, None) when there is no head yet."""
        if self.is_local:
            data = self._guard("read", key, _read_if_there, self.path(key))
            return (data, sha256_bytes(data)) if data is not None else (None, None)
        if not {"s3", "s3a"} & set(self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)):
            raise StoreError(f"store {self.url}: heads (the screenplay, the film history) need compare-and-swap, which "
                             "only a local folder and S3 (s3://) give here; use one of those")
        bucket, name, _ = self.fs.split_path(self.path(key))

        async def get():
            try:
                response = await self.fs._call_s3("get_object", Bucket=bucket, Key=name)
            except FileNotFoundError as exc:
                if _s3_error(exc).get("Code") == "NoSuchKey":
                    return None, None
                raise
            async with response["Body"] as body:
                return await body.read(), response["ETag"]

        return self._guard("read", key, sync, self.fs.loop, get)

    def swap_head(self, key: str, data: bytes, version: str | None) -> bool:
        """Write the head only if it is still at `version` (None: only if there is none); False when it moved."""
        if self.is_local:
            return self._guard("write", key, self._swap_local, key, data, version)
        self.check_conditional_writes()
        condition = {"IfMatch": version} if version else {"IfNoneMatch": "*"}
        return self._guard("write", key, self._put_if, key, data, condition)

    def _put_if(self, key: str, data: bytes, condition: dict) -> bool:
        bucket, name, _ = self.fs.split_path(self.path(key))
        try:
            self.fs.call_s3("put_object", Bucket=bucket, Key=name, Body=data, **condition)
        except OSError as exc:
            if _precondition_failed(exc):
                return False
            raise
        return True

    def update_head(self, key: str, change: Callable[[bytes | None], bytes | None]) -> tuple[bytes | None, bool]:
        """Change a head by compare-and-swap: `change(current)` gives the new content (None or the same: leave it).
        When another writer moved the head in between, `change` runs again on its version. Returns the head as
        left and whether this call wrote it."""
        for attempt in range(HEAD_ATTEMPTS):
            current, version = self.read_head(key)
            new = change(current)
            if new is None or new == current:
                return current, False
            if self.swap_head(key, new, version):
                return new, True
            time.sleep(random.uniform(0, 0.02 * min(attempt + 1, 10)))  # writers that collided spread out
        raise StoreError(f"store {self.url}: {key} changed under {HEAD_ATTEMPTS} attempts in a row to update it; "
                         "too many writers at once, try again")

    def _swap_local(self, key: str, data: bytes, version: str | None) -> bool:
        final = self.path(key)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        with _locked(os.path.join(os.path.dirname(final), f".{os.path.basename(final)}.lock")):
            current = _read_if_there(final)
            if (sha256_bytes(current) if current is not None else None) != version:
                return False
            self._atomic_write(key, data=data, replace=True)
            return True

    def check_conditional_writes(self) -> None:
        """Refuse, once per store in a process, an S3 endpoint that ignores conditional PUTs: on it two writers
        of a head would silently keep only the last one's version."""
        if self.url in _CONDITIONAL_WRITES:
            return
        probe = f".probe-cas-{uuid.uuid4().hex}"
        self._guard("write to", probe, self.fs.pipe_file, self.path(probe), b"probe")
        try:
            lacks = [header for header, condition in (("If-None-Match: *", {"IfNoneMatch": "*"}),
                                                      ("If-Match", {"IfMatch": '"0123456789abcdef0123456789abcdef"'}))
                     if self._guard("write to", probe, self._put_if, probe, b"probe", condition)]
        finally:
            self.fs.rm_file(self.path(probe))
        if lacks:
            endpoint = self.fs.s3.meta.endpoint_url
            raise StoreError(f"store {self.url}: the S3 endpoint {endpoint} ignores conditional writes ({' and '.join(lacks)} "
                             "on PutObject), so concurrent writers could lose edits; use an endpoint that honours both "
                             "(AWS S3 does since November 2024)")
        _CONDITIONAL_WRITES.add(self.url)

    def _atomic_write(self, key: str, *, data: bytes | None = None, source: Path | None = None, replace: bool = False):
        final = self.path(key)
        if self.is_local:
            os.makedirs(os.path.dirname(final), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(final), prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    if data is not None:
                        out.write(data)
                    else:
                        with open(source, "rb") as src:
                            shutil.copyfileobj(src, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
                if replace:
                    os.replace(tmp, final)
                else:
                    # link() refuses an existing target: of two concurrent writers the first one's object stays.
                    try:
                        os.link(tmp, final)
                    except FileExistsError:
                        pass
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            return
        # Object stores make a PUT visible only once it is complete, so a direct write is atomic there.
        if data is not None:
            self.fs.pipe_file(final, data)
        else:
            self.fs.put_file(str(source), final)


HEAD_ATTEMPTS = 200
_CONDITIONAL_WRITES: set[str] = set()  # S3 stores whose endpoint was seen to honour conditional writes


def _s3_error(exc: BaseException) -> dict:
    """The S3 error behind an s3fs exception: Code, Message, and the HTTP status as Status."""
    response = getattr(exc.__cause__, "response", None) or {}
    return {**response.get("Error", {}), "Status": response.get("ResponseMetadata", {}).get("HTTPStatusCode")}


def _precondition_failed(exc: OSError) -> bool:
    """A conditional PUT refused because the head moved: 412, or 409 when S3 saw two conditional writes at once."""
    error = _s3_error(exc)
    return error["Status"] in (409, 412) or error.get("Code") in ("PreconditionFailed", "ConditionalRequestConflict")


def _read_if_there(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


@contextmanager
def _locked(path: str) -> Iterator[None]:
    """An exclusive lock on a lock file: flock belongs to the open file, so threads of one process exclude each other
    as processes do, and the kernel releases it when its holder dies."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def open_store(url: str, **kwargs) -> Store:
    """The store at a URL; a plain path becomes an absolute local folder."""
    if "://" not in str(url):
        url = str(Path(url).expanduser().resolve())
    elif str(url).startswith(("s3://", "s3a://")):
        # Listings cached by s3fs would hide objects another worker just wrote.
        kwargs.setdefault("storage_options", {}).setdefault("use_listings_cache", False)
    return Store(url, **kwargs)

