"""Signed values: what the session cookie and other tamper-proof tokens
are made of.

    signer = TimestampSigner(secret, salt="session")
    token = signer.sign_object({"cart": {...}})       # JSON, maybe zlib'd
    signer.unsign_object(token, max_age=14 * 86400)

The signature is an HMAC-SHA256 of the value, keyed with a key derived
from the secret and the salt, so a token made for one purpose is refused
for another.  Comparison is constant-time (hmac.compare_digest).
"""
import base64
import hashlib
import hmac
import json
import time
import zlib

from .response import JSONEncoder


class BadSignature(Exception):
    """The signature does not match: forged, truncated or another key."""


class SignatureExpired(BadSignature):
    """The signature is good but older than max_age."""


def b64_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64_decode(data):
    pad = b"=" * (-len(data) % 4)
    return base64.urlsafe_b64decode(data + pad)


_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62_encode(n):
    if n == 0:
        return "0"
    out = []
    while n:
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "".join(reversed(out))


def b62_decode(s):
    n = 0
    for ch in s:
        n = n * 62 + _B62.index(ch)
    return n


class JSONSerializer:
    """Objects <-> bytes for sign_object()."""

    def dumps(self, obj):
        return json.dumps(obj, separators=(",", ":"), cls=JSONEncoder).encode("utf-8")

    def loads(self, data):
        return json.loads(data.decode("utf-8"))


class Signer:
    sep = ":"

    def __init__(self, key, salt="plainweb.signing", algorithm="sha256", fallback_keys=()):
        if not key:
            raise ValueError("a signing key is required")
        self.key = key
        self.salt = salt
        self.algorithm = algorithm
        self.fallback_keys = list(fallback_keys)

    def _derive(self, key):
        return hashlib.sha256((self.salt + "signer" + key).encode("utf-8")).digest()

    def signature(self, value, key=None):
        mac = hmac.new(self._derive(key or self.key), value.encode("utf-8"), self.algorithm)
        return b64_encode(mac.digest()).decode("ascii")

    def sign(self, value):
        return "%s%s%s" % (value, self.sep, self.signature(value))

    def unsign(self, signed):
        value, sep, sig = signed.rpartition(self.sep)
        if not sep:
            raise BadSignature("no separator in %r" % signed[:40])
        for key in [self.key, *self.fallback_keys]:
            if hmac.compare_digest(sig.encode("ascii", "replace"),
                                   self.signature(value, key).encode("ascii")):
                return value
        raise BadSignature("signature %r does not match" % sig)

    def sign_object(self, obj, serializer=JSONSerializer, compress=False):
        data = serializer().dumps(obj)
        prefix = ""
        if compress:
            packed = zlib.compress(data, 6)
            if len(packed) < len(data) - 1:
                data, prefix = packed, "."
        return self.sign(prefix + b64_encode(data).decode("ascii"))

    def unsign_object(self, signed, serializer=JSONSerializer, **kwargs):
        payload = self.unsign(signed, **kwargs).encode("ascii")
        compressed = payload[:1] == b"."
        if compressed:
            payload = payload[1:]
        try:
            data = b64_decode(payload)
            if compressed:
                data = zlib.decompress(data)
            return serializer().loads(data)
        except (ValueError, zlib.error) as e:
            raise BadSignature("a signed value that does not decode: %s" % e)


class TimestampSigner(Signer):
    """Adds the signing time, so unsign() can refuse old values."""

    def timestamp(self):
        return b62_encode(int(time.time()))

    def sign(self, value):
        return super().sign("%s%s%s" % (value, self.sep, self.timestamp()))

    def unsign(self, signed, max_age=None):
        value = super().unsign(signed)
        value, _, stamp = value.rpartition(self.sep)
        try:
            when = b62_decode(stamp)
        except ValueError:
            raise BadSignature("bad timestamp %r" % stamp)
        if max_age is not None:
            age = time.time() - when
            if age > max_age:
                raise SignatureExpired("signature age %d > %d seconds" % (age, max_age))
        return value
