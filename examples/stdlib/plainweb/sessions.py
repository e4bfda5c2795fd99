"""Sessions kept in a signed cookie: no server-side store, so every
worker reads every session and nothing is written to the database.

The cookie holds the session dict as compressed JSON signed with the
site's secret; the browser can read it but not change it.  A cookie that
does not verify (forged, expired, or signed with an old secret) yields
an empty session.
"""
from collections.abc import MutableMapping

from .signing import BadSignature, TimestampSigner


class SessionBase(MutableMapping):
    """A dict that remembers whether it changed."""

    def __init__(self, data=None):
        self._data = dict(data or {})
        self.modified = False
        self.accessed = False
        self.new = data is None

    def __getitem__(self, key):
        self.accessed = True
        return self._data[key]

    def __setitem__(self, key, value):
        self._data[key] = value
        self.modified = True

    def __delitem__(self, key):
        del self._data[key]
        self.modified = True

    def __iter__(self):
        self.accessed = True
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def get(self, key, default=None):
        self.accessed = True
        return self._data.get(key, default)

    def clear(self):
        if self._data:
            self._data.clear()
            self.modified = True

    def flush(self):
        self.clear()
        self.new = True

    @property
    def is_empty(self):
        return not self._data

    def __repr__(self):
        return "<%s %r%s>" % (type(self).__name__, self._data, " modified" if self.modified else "")


class SignedCookieSession(SessionBase):
    salt = "plainweb.sessions.SignedCookieSession"

    def __init__(self, secret, cookie_value=None, max_age=14 * 86400):
        self.signer = TimestampSigner(secret, salt=self.salt)
        self.max_age = max_age
        data = None
        self.invalid = False
        if cookie_value:
            try:
                data = self.signer.unsign_object(cookie_value, max_age=max_age)
                if not isinstance(data, dict):
                    data, self.invalid = None, True
            except BadSignature:
                self.invalid = True
        super().__init__(data)

    def cookie_value(self):
        return self.signer.sign_object(self._data, compress=True)
