"""Static files, served from one directory and kept in memory: the
site's few files are small, and reading them once at startup (in the
zygote, before the fork) means no worker touches the disk for them."""
import mimetypes
import os
import posixpath

from .exceptions import NotFound
from .response import FileResponse, NotModifiedResponse
from .datastructures import quote_etag

# The system's mime.types first, then Python's table; read once.
mimetypes.init()


class StaticFile:
    __slots__ = ("path", "data", "content_type", "mtime", "etag")

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        ctype, encoding = mimetypes.guess_type(path)
        ctype = ctype or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self.content_type = ctype
        st = os.stat(path)
        self.mtime = st.st_mtime
        self.etag = "%x-%x" % (int(st.st_mtime), st.st_size)


class StaticFiles:
    """Serves GET /static/<path> from `directory`."""

    def __init__(self, directory, url_prefix="/static/", max_age=3600):
        self.directory = os.path.abspath(directory)
        self.url_prefix = url_prefix
        self.max_age = max_age
        self.files = {}

    def preload(self):
        """Reads every file under the directory; returns how many."""
        for dirpath, _, names in os.walk(self.directory):
            for name in names:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self.directory).replace(os.sep, "/")
                self.files[rel] = StaticFile(full)
        return len(self.files)

    def lookup(self, path):
        path = posixpath.normpath(path).lstrip("/")
        if path.startswith("..") or "\x00" in path:
            raise NotFound()
        found = self.files.get(path)
        if found is None:
            full = os.path.join(self.directory, *path.split("/"))
            if not os.path.isfile(full):
                raise NotFound()
            found = self.files[path] = StaticFile(full)
        return found

    def url(self, path):
        f = self.files.get(path)
        return self.url_prefix + path + ("?v=" + f.etag if f else "")

    def serve(self, request, path):
        f = self.lookup(path)
        response = FileResponse(f.data, f.content_type, f.mtime, self.max_age)
        response.headers["ETag"] = quote_etag(f.etag)
        if request.if_none_match.contains_weak(f.etag):
            return NotModifiedResponse.replacing(response)
        return response
