"""Prefect tasks: thin, typed wrappers that declare retries, timeouts and caching and call one library function.

The store is the one truth for "already made": tasks pass small references (store key + sha256) and a task whose
render is in the store returns at once. Prefect's own result cache is off (cache_policy=NONE) so that the UI's
states, the CLI's counts and the store never disagree.
"""
