"""Prefect tasks: thin, typed wrappers that declare retries and caching (tasks.common) and call one library function."""
