"""The shared cache (``CACHE_URL``): Django's Redis cache, read as empty while Redis is down or hangs.

The cache holds nothing of record — rate-limit counters, single-use challenge nonces, cached
figures — so an outage must not break a page. An operation that cannot reach Redis within the
socket timeouts (settings) logs a warning and behaves as on an empty cache that keeps nothing:
``get`` misses, ``set`` and ``delete`` do nothing, ``add`` succeeds, ``incr`` finds no key. For
the public complaint forms that means their rate limit and the single-use check of a solved
challenge are off during the outage; the signed, 30-minute challenge must still be answered.
"""

import collections
import functools
import logging
import time

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found")  # what incr says of a key an empty cache lacks


# What an empty cache that keeps nothing answers, per operation.
EMPTY = {
    "get": lambda key, default=None, version=None: default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "add": lambda *args, **kwargs: True,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda *args, **kwargs: [],
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: None,
    "incr": _missing_key,
}


def _tolerant(name, empty):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            log.warning("cache %s: Redis unreachable (%s); answered as an empty cache", name, type(exc).__name__)
            return empty(*args, **kwargs)

    return call


class TolerantRedisCache(RedisCache):
    """``RedisCache`` whose operations answer as an empty cache when Redis cannot be reached."""


for _name, _empty in EMPTY.items():
    setattr(TolerantRedisCache, _name, _tolerant(_name, _empty))


# --- kept in this process too ----------------------------------------------------------------------
# What only changes with a stamp in its key (the public catalogue's filter lists and rendered pages)
# is kept per process as well: reading it back from Redis cost a round trip and an unpickling each
# time (the filter lists, as model instances, took 4 ms a page). A few dozen entries, each expiring
# as it would in the shared cache: a publication changes the stamp, hence the keys, at once; an edit
# the stamp does not follow (an agency renamed in the admin) shows within the same lifetime as before.
LOCAL_ENTRIES = 64
_local: "collections.OrderedDict[str, tuple[float, object]]" = collections.OrderedDict()


def kept(key: str, make, seconds: int):
    """``make()`` kept under ``key`` here and in the shared cache for ``seconds``."""
    now = time.monotonic()
    found = _local.get(key)
    if found is not None and found[0] > now:
        _local.move_to_end(key)
        return found[1]
    value = cache.get_or_set(key, make, seconds)
    _keep_here(key, (now + seconds, value))
    return value


def _keep_here(key: str, entry: tuple[float, object]) -> None:
    """Put ``entry`` at the young end of this process's keep, dropping the oldest beyond ``LOCAL_ENTRIES``."""
    _local[key] = entry
    _local.move_to_end(key)
    while len(_local) > LOCAL_ENTRIES:
        _local.popitem(last=False)


def forget_kept() -> None:
    """Empty this process's copies (tests, with ``cache.clear()``)."""
    _local.clear()


def kept_parts(key: str, ids, make, seconds: int) -> list:
    """The parts for ``ids`` (rendered rows of a list, say), each made once and kept in this process under
    ``key`` for ``seconds``: ``make(missing ids)`` returns ``{id: part}`` for those it still finds; an id it
    does not return is left out. Only in this process: a row is cheap to make again, and many small entries
    in the shared cache would cost a round trip each. The whole set under ``key`` counts as one entry."""
    now = time.monotonic()
    found = _local.get(key)
    if found is None or found[0] <= now:
        # A new set: drop every expired entry too (a set of rows under an old stamp may be megabytes).
        for stale in [k for k, (until, _value) in _local.items() if until <= now]:
            del _local[stale]
        found = (now + seconds, {})
    _keep_here(key, found)
    parts = found[1]
    missing = [i for i in ids if i not in parts]
    if missing:
        parts.update(make(missing))
    return [parts[i] for i in ids if i in parts]
