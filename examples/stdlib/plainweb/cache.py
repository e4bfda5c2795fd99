"""In-process caches.  Each worker has its own; what the zygote (or the
preloading master) fills before forking is shared by all of them until
they change it.

LRUCache bounds memory by entry count; TTLCache also forgets entries
after a time, for data that may change under the site (counts shown on
the home page).  `memoize` caches a function's results in an LRUCache.
"""
import functools
import time
from collections import OrderedDict

_MISSING = object()


class CacheStats:
    __slots__ = ("hits", "misses", "evictions")

    def __init__(self):
        self.hits = self.misses = self.evictions = 0

    def as_dict(self):
        return {"hits": self.hits, "misses": self.misses, "evictions": self.evictions}


class LRUCache:
    """The `maxsize` most recently used entries."""

    def __init__(self, maxsize=256, name=None):
        self.maxsize = maxsize
        self.name = name
        self._data = OrderedDict()
        self.stats = CacheStats()

    def get(self, key, default=None):
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            self.stats.misses += 1
            return default
        self._data.move_to_end(key)
        self.stats.hits += 1
        return value

    def set(self, key, value):
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)
            self.stats.evictions += 1

    def get_or_set(self, key, make):
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = make()
            self.set(key, value)
        return value

    def delete(self, key):
        self._data.pop(key, None)

    def clear(self):
        self._data.clear()

    def __contains__(self, key):
        return key in self._data

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return "<%s %s: %d/%d>" % (type(self).__name__, self.name, len(self), self.maxsize)


class TTLCache(LRUCache):
    """An LRUCache whose entries expire `ttl` seconds after being set."""

    def __init__(self, maxsize=256, ttl=60.0, name=None, clock=time.monotonic):
        super().__init__(maxsize, name)
        self.ttl = ttl
        self.clock = clock

    def get(self, key, default=None):
        entry = super().get(key, _MISSING)
        if entry is _MISSING:
            return default
        expires, value = entry
        if expires < self.clock():
            self.delete(key)
            self.stats.hits -= 1
            self.stats.misses += 1
            return default
        return value

    def set(self, key, value):
        super().set(key, (self.clock() + self.ttl, value))


# Every named cache of the process, for the health page.
caches = {}


def named_cache(name, maxsize=256, ttl=None):
    cache = caches.get(name)
    if cache is None:
        cache = TTLCache(maxsize, ttl, name) if ttl else LRUCache(maxsize, name)
        caches[name] = cache
    return cache


def memoize(maxsize=128, name=None, key=None):
    """Caches a function's results by its arguments (or key(*args))."""

    def deco(func):
        cache = named_cache(name or "%s.%s" % (func.__module__, func.__qualname__), maxsize)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            k = key(*args, **kwargs) if key else (args, tuple(sorted(kwargs.items())))
            value = cache.get(k, _MISSING)
            if value is _MISSING:
                value = func(*args, **kwargs)
                cache.set(k, value)
            return value

        wrapper.cache = cache
        return wrapper
    return deco
