"""What every task shares: opening the store named by the run's options, once per process."""

from __future__ import annotations

from functools import lru_cache

from prefect.cache_policies import NONE

from dreamfactory.store import Store, open_store

NO_CACHE = dict(cache_policy=NONE, persist_result=False)


@lru_cache(maxsize=16)
def store_for(url: str) -> Store:
    return open_store(url)
