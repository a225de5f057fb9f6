"""What every task shares: the store named by the run's options, Prefect's result storage on that same store,
cache keys equal to the store's content addresses, and the retry rule."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from prefect import unmapped
from prefect.cache_policies import NONE
from prefect.futures import wait

from dreamfactory.store import Store, digest, open_store

NO_CACHE = dict(cache_policy=NONE, persist_result=False)


@lru_cache(maxsize=16)
def store_for(url: str) -> Store:
    return open_store(url)


@lru_cache(maxsize=16)
def result_storage(url: str) -> Path | str:
    """Prefect's result storage on the run's store: task results live beside the artifacts they point to."""
    store = store_for(url)
    if store.is_local:
        return Path(store.root)
    from prefect.filesystems import RemoteFileSystem

    name = f"dreamfactory-store-{digest(store.url)[:12]}"
    RemoteFileSystem(basepath=store.url).save(name, overwrite=True)
    return f"remote-file-system/{name}"


def on_store(task, options):
    """The task with its results persisted on the run's store."""
    return task.with_options(result_storage=result_storage(options.store))


def keyed_by(kind: str, content_key: Callable[..., str]) -> dict[str, Any]:
    """Task options for a render: Prefect's cache key is the store's content address of what the task makes, under
    the project's prefix, so the UI's Cached states, the CLI's counts and the store agree."""

    def cache_key(context, parameters: dict[str, Any]) -> str:
        return f"{parameters['project']}/_prefect/{kind}-{content_key(**parameters)[:40]}"

    return dict(cache_key_fn=cache_key, persist_result=True, retry_condition_fn=retry_unless_settings_error)


def retry_unless_settings_error(task, task_run, state) -> bool:
    """A wrong model path or setting fails at once: retrying cannot fix it. Everything else is retried."""
    from dreamfactory.errors import SettingsError, StoryError

    try:
        state.result()
    except (SettingsError, StoryError):
        return False
    except Exception:  # noqa: BLE001 - any other failure is worth a retry
        return True
    return True



def stale(state_or_future, store: Store) -> bool:
    """A result Prefect served from its cache although what it points to is gone from the store (deleted by hand,
    a bucket emptied): the store is the truth, so the task must run again."""
    state = getattr(state_or_future, "state", state_or_future)
    return state.name == "Cached" and not all(store.exists(key) for key in state.result().stored_keys())


def settled(task, store: Store, *args):
    """Call a task; when its cached result is stale, call it again past the cache. Returns the final state."""
    state = task(*args, return_state=True)
    if stale(state, store):
        state = task.with_options(refresh_cache=True)(*args, return_state=True)
    return state


def settled_map(task, store: Store, items: list, *args) -> list:
    """`task.map(items, *args)` (args unmapped), each stale cached result run again past the cache; the futures,
    all finished."""
    futures = list(task.map(items, *(unmapped(a) for a in args)))
    wait(futures)
    again = {i: task.with_options(refresh_cache=True).submit(items[i], *args) for i, f in enumerate(futures)
             if f.state.is_completed() and stale(f, store)}
    wait(list(again.values()))
    return [again.get(i, f) for i, f in enumerate(futures)]


def fresh(state_or_future):
    """A task's result, marked as taken from the store when Prefect served it from its cache."""
    state = getattr(state_or_future, "state", state_or_future)
    value = state.result()
    if state.name != "Cached":
        return value
    if hasattr(value, "from_store"):
        return value.from_store()
    if hasattr(value, "made"):
        return value.model_copy(update={"made": False})
    return value
