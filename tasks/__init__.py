"""Prefect tasks: thin, typed wrappers that declare retries and caching and call one library function.

The store is the one truth for "already made": tasks pass small references (store key + sha256), and a task's
Prefect cache key is its step's content key (`dreamfactory.steps`, read by `tasks.common.StoreKeyed`), so the UI's
Cached states, the CLI's counts, `dreamfactory plan` and the store agree.
"""
