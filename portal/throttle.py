"""Rate limits in the shared cache (Redis in production): per client address, per account and global.

A fixed window per key (it starts with the first hit). Counting happens before the work is done, so
a refused attempt costs the client nothing to learn. With the default LocMemCache each process counts
alone; production uses Redis (``CACHE_URL``), where the limits are exact across workers. While Redis
is unreachable the tolerant cache counts nothing and the limits are off (portal/cache.py).
"""

from django.core.cache import cache


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") if request is not None else "") or "unknown"


def hit(scope: str, key: str, limit: tuple[int, int]) -> bool:
    """Count one attempt under ``scope``/``key``; ``False`` once more than ``limit[0]`` in ``limit[1]`` seconds."""
    allowed, window = limit
    cache_key = f"throttle:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr (or the cache is unreachable)
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= allowed


def allow(scope: str, request, *, per_address: tuple[int, int], overall: tuple[int, int],
          per_account: tuple[int, int] | None = None) -> bool:
    """One attempt, counted against every limit that applies; ``False`` when any of them is exceeded.

    Every counter is hit (no short cut), so a client over one limit keeps paying into the others."""
    user = getattr(request, "user", None)
    results = [hit(scope, f"ip:{client_address(request)}", per_address), hit(scope, "all", overall)]
    if per_account is not None and getattr(user, "is_authenticated", False):
        results.append(hit(scope, f"user:{user.pk}", per_account))
    return all(results)
