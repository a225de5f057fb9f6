"""What every task shares: the store named by the run's options, Prefect's result storage on that same store,
the one cache policy (Prefect's cache key is the step's content key, and the store is the truth), the
`gpu` concurrency slot, and the retry rule."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from inspect import signature
from pathlib import Path
from typing import Any, Callable, Iterator

from prefect.cache_policies import NONE, CachePolicy

from dreamfactory import steps
from dreamfactory.renders import uses_gpu
from dreamfactory.settings import FilmOptions
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


@dataclass
class StoreKeyed(CachePolicy):
    """The one rule for "already made": Prefect's cache key is the step's content key (`dreamfactory.steps`), so the
    UI's Cached states, the CLI's counts and the store agree; and a cached result is trusted only while the step's
    record and the objects it points to are in the store. When one was deleted (by hand, a bucket emptied), there
    is no key: the task runs, and finds in the store whatever is still there."""

    content_key: Callable[..., str] | None = None

    def compute_key(self, task_ctx, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs) -> str | None:
        step, project = inputs["step"], inputs["project"]
        content = self.content_key(**{k: v for k, v in inputs.items() if k in signature(self.content_key).parameters})
        key = f"{project}/_prefect/{step.name}-{content[:40]}"
        results = task_ctx.result_store
        if results is not None and results.exists(key) and steps.found(store_for(inputs["options"].store), project,
                                                                       step, content) is None:
            return None
        return key


def keyed_by(content_key: Callable[..., str]) -> dict[str, Any]:
    """Task options for a step of the film (see StoreKeyed); `content_key` takes the task's parameters it names."""
    return dict(cache_policy=StoreKeyed(content_key=content_key), persist_result=True,
                retry_condition_fn=retry_unless_settings_error)


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


# How long a render's hold on its GPU slot lasts unrenewed (Prefect renews it while the render runs, 60 s is the
# server's least): a run killed mid-render leaves its slot taken for about this long, not for ever.
GPU_LEASE_S = 60


@contextmanager
def gpu_slot(options: FilmOptions, renderer) -> Iterator[None]:
    """A slot of the run's GPU concurrency limit for a render on the GPU; nothing for the animatic or a remote API.

    A slot whose holder died (a killed run) is freed when its lease has expired: `dreamfactory`'s temporary server
    keeps leases in files under PREFECT_HOME, and runs no repossessor of its own, so the waiting run frees them."""
    if not uses_gpu(renderer):
        yield
        return
    from prefect.concurrency.sync import concurrency

    with ExitStack() as held:
        while True:
            release_expired_leases()
            try:
                held.enter_context(concurrency(options.gpu_limit, occupy=1, strict=True, lease_duration=GPU_LEASE_S,
                                               timeout_seconds=GPU_LEASE_S))
                break
            except TimeoutError:  # every slot busy for a lease's length: a holder may have died meanwhile
                continue
        yield


def release_expired_leases() -> None:
    """Free the slots of holders whose leases expired unrenewed, as Prefect's repossessor does on a full server."""
    from prefect.client.orchestration import get_client
    from prefect.server.concurrency.lease_storage.filesystem import ConcurrencyLeaseStorage
    from prefect.utilities.asyncutils import run_coro_as_sync

    leases = ConcurrencyLeaseStorage()
    if not leases.storage_path.is_dir():  # the server keeps its leases in memory: its own repossessor frees them
        return
    expired = run_coro_as_sync(leases.read_expired_lease_ids())
    if expired:
        with get_client(sync_client=True) as client:
            for lease_id in expired:
                client.release_concurrency_slots_with_lease(lease_id)


def ensure_gpu_limit(options: FilmOptions) -> None:
    """Create the GPU concurrency limit at its configured size (or resize it) when this run renders on a GPU."""
    from dreamfactory import backends

    render = options.render
    if not (uses_gpu(backends.keyframe_renderer(render)) or uses_gpu(backends.clip_renderer(render))):
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(options.gpu_limit, options.gpu_slots)
