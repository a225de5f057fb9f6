"""The store: content-addressed artifacts on any fsspec filesystem (a local folder by default, or s3://).

Two kinds of object live here:
- immutable objects at keys derived from their inputs (renders, phase outputs, films, manifests): written
  once, atomically, never overwritten; a second writer of the same key keeps the first one's object;
- heads, the few mutable documents a person edits or reads first (the working screenplay, the film
  history): written atomically and only when their content changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, TypeVar

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


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


class Store:
    """Artifacts of every project under one root URL."""

    def __init__(self, url: str, *, cache_dir: str | Path | None = None, storage_options: dict | None = None):
        self.url = str(url).rstrip("/") or "/"
        try:
            self.fs, root = url_to_fs(self.url, **(storage_options or {}))
        except (ImportError, ValueError) as exc:
            raise StoreError(f"store {self.url}: cannot open it ({_describe(exc)})") from exc
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
            what = _describe(exc)
            if "bucket" in what.lower():
                raise StoreError(f"store {self.url}: the bucket does not exist ({what}); create it first") from exc
            raise StoreError(f"store {self.url}: {key} is missing") from exc
        except PermissionError as exc:
            raise StoreError(f"store {self.url}: no permission to {action} {key} ({_describe(exc)})") from exc
        except OSError as exc:
            if getattr(exc, "errno", None) == 28:
                raise StoreError(f"store {self.url}: disk full while trying to {action} {key}") from exc
            raise StoreError(f"store {self.url}: cannot {action} {key} ({_describe(exc)})") from exc
        except Exception as exc:  # botocore/aiohttp errors of remote stores have no common base class
            raise StoreError(f"store {self.url}: cannot {action} {key} ({type(exc).__name__}: {_describe(exc)})") from exc

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
        if self.exists(key):
            return False
        self._guard("write", key, self._atomic_write, key, data=data)
        return True

    def put_file(self, key: str, local_path: str | Path) -> bool:
        """Write an immutable object from a local file. False when the key already exists."""
        if self.exists(key):
            return False
        self._guard("write", key, self._atomic_write, key, source=Path(local_path))
        return True

    def put_json(self, key: str, value: Any) -> bool:
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json")
        return self.put_bytes(key, json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode())

    def put_same(self, key: str, data: bytes) -> bool:
        """Immutable write that also proves a present object is the same; ConflictError if it is not."""
        if self.exists(key):
            if sha256_bytes(self.read_bytes(key)) != sha256_bytes(data):
                raise ConflictError(f"store {self.url}: {key} already holds different content; it is never overwritten")
            return False
        self._guard("write", key, self._atomic_write, key, data=data)
        return True

    def set_head(self, key: str, data: bytes) -> bool:
        """Write a mutable head atomically, only when its content changes. True when it wrote."""
        if self.exists(key) and self.read_bytes(key) == data:
            return False
        self._guard("write", key, self._atomic_write, key, data=data, replace=True)
        return True

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


def open_store(url: str, **kwargs) -> Store:
    """The store at a URL; a plain path becomes an absolute local folder."""
    if "://" not in str(url):
        url = str(Path(url).expanduser().resolve())
    elif str(url).startswith(("s3://", "s3a://")):
        # Listings cached by s3fs would hide objects another worker just wrote.
        kwargs.setdefault("storage_options", {}).setdefault("use_listings_cache", False)
    return Store(url, **kwargs)


__all__ = ["Store", "open_store", "digest", "sha256_bytes", "sha256_file"]
