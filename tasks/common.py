"""What every task shares: opening the store named by the run's options, once per process."""

from __future__ import annotations

from functools import lru_cache

from prefect.cache_policies import NONE

from dreamfactory.store import Store, open_store

NO_CACHE = dict(cache_policy=NONE, persist_result=False)


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


RETRIED = dict(NO_CACHE, retry_condition_fn=retry_unless_settings_error)


@lru_cache(maxsize=16)
def store_for(url: str) -> Store:
    return open_store(url)
