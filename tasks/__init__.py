"""Prefect tasks: thin, typed wrappers that declare retries and caching and call one library function.

The store is the one truth for "already made": tasks pass small references (store key + sha256), and a task's
Prefect cache key is the store's content address of what it makes (`tasks.common.keyed_by`), so the UI's Cached
states, the CLI's counts and the store agree.
"""
