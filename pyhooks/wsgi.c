/*
 * wsgi.c: the PEP 3333 bridge.  For each request the connection loop has
 * fully buffered, it builds the environ, calls the app with a C
 * start_response, and streams what the app returns through the response
 * writer (http/http_resp.c).  It owns the WSGI rules (start_response
 * with exc_info, the write() callable, iterables with close(), bytes
 * only); framing and sockets are the writer's.
 *
 * An exception from the app is logged with its traceback and answered
 * 500 when no header is out yet; otherwise the connection is dropped.
 * The worker keeps serving either way.
 */
#include "forkd_state.h"
#include "http_conn.h"
#include "http_util.h"
#include "log.h"
#include "py.h"

#include <sys/stat.h>
#include <unistd.h>

#define WSGI_MAX_HEADERS	128

static void	wsgi_handle(struct http_exchange *, void *);
static PyObject	*wsgi_too_long(struct http_exchange *);

/* The start_response callable: one per request, dead after it. */
struct start_response {
	PyObject_HEAD
	struct http_exchange	*ex;		/* borrowed; NULL once done */
	int			 called;
};

static int
wsgi_latin1(PyObject *s, const char **ret, Py_ssize_t *ret_len,
    PyObject *keep)
{
	PyObject	*b;

	if (!PyUnicode_Check(s)) {
		PyErr_Format(PyExc_TypeError, "WSGI: expected str, got %s",
		    Py_TYPE(s)->tp_name);
		return -1;
	}
	if (PyUnicode_IS_ASCII(s)) {
		*ret = PyUnicode_AsUTF8AndSize(s, ret_len);
		return *ret == NULL ? -1 : 0;
	}
	if ((b = PyUnicode_AsLatin1String(s)) == NULL)
		return -1;
	if (PyList_Append(keep, b) != 0) {
		Py_DECREF(b);
		return -1;
	}
	Py_DECREF(b);		/* keep holds it */
	*ret = PyBytes_AS_STRING(b);
	*ret_len = PyBytes_GET_SIZE(b);
	return 0;
}

/*
 * The app wrote past its own Content-Length: a bug in the app that would
 * corrupt the framing.  Raises RuntimeError (NULL); the caller answers
 * 500 if no head is out yet, else the connection is dropped.
 */
static PyObject *
wsgi_too_long(struct http_exchange *ex)
{
	ex->resp.keep_alive = 0;
	ex->resp.error = 0;	/* not the client's fault: 500 if possible */
	PyErr_Format(PyExc_RuntimeError, "WSGI: the app sent more than its "
	    "Content-Length (%lld bytes)", (long long)ex->resp.content_length);
	return NULL;
}

static PyObject *
start_response_call(PyObject *self, PyObject *args, PyObject *kw)
{
	static char		*kwlist[] = { "status", "headers", "exc_info",
				    NULL };
	struct start_response	*sr = (struct start_response *)self;
	struct http_resp_header	 h[WSGI_MAX_HEADERS];
	PyObject		*status, *headers, *exc_info = Py_None;
	PyObject		*keep = NULL, *item;
	const char		*st;
	Py_ssize_t		 stlen, i, n, len;
	int			 r;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O:start_response",
	    kwlist, &status, &headers, &exc_info))
		return NULL;
	if (sr->ex == NULL) {
		PyErr_SetString(PyExc_RuntimeError,
		    "start_response called after the response ended");
		return NULL;
	}
	if (exc_info != Py_None) {
		if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) != 3) {
			PyErr_SetString(PyExc_TypeError,
			    "exc_info must be a 3-tuple");
			return NULL;
		}
		if (!PyExceptionInstance_Check(PyTuple_GET_ITEM(exc_info, 1))) {
			PyErr_SetString(PyExc_TypeError, "exc_info must hold "
			    "an exception (was start_response given "
			    "sys.exc_info() outside an except block?)");
			return NULL;
		}
		if (sr->ex->resp.sent_head) {
			/* PEP 3333: too late to change; re-raise. */
			PyErr_Restore(Py_NewRef(PyTuple_GET_ITEM(exc_info, 0)),
			    Py_NewRef(PyTuple_GET_ITEM(exc_info, 1)),
			    Py_XNewRef(PyTuple_GET_ITEM(exc_info, 2)));
			return NULL;
		}
	} else if (sr->called) {
		PyErr_SetString(PyExc_AssertionError,
		    "start_response called twice without exc_info");
		return NULL;
	}
	if (!PyList_Check(headers)) {
		PyErr_Format(PyExc_TypeError,
		    "WSGI: headers must be a list, got %s",
		    Py_TYPE(headers)->tp_name);
		return NULL;
	}
	n = PyList_GET_SIZE(headers);
	if (n > WSGI_MAX_HEADERS) {
		PyErr_SetString(PyExc_ValueError, "WSGI: too many headers");
		return NULL;
	}
	if ((keep = PyList_New(0)) == NULL)
		return NULL;
	if (wsgi_latin1(status, &st, &stlen, keep) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		item = PyList_GET_ITEM(headers, i);
		if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
			PyErr_SetString(PyExc_TypeError, "WSGI: each header "
			    "must be a (name, value) tuple");
			goto fail;
		}
		if (wsgi_latin1(PyTuple_GET_ITEM(item, 0), &h[i].name, &len,
		    keep) != 0)
			goto fail;
		h[i].name_len = len;
		if (wsgi_latin1(PyTuple_GET_ITEM(item, 1), &h[i].value, &len,
		    keep) != 0)
			goto fail;
		h[i].value_len = len;
	}
	r = http_resp_start(&sr->ex->resp, st, stlen, h, n);
	if (r == -EINVAL) {
		PyErr_Format(PyExc_ValueError, "WSGI: malformed status %R or "
		    "a header that is malformed or hop-by-hop", status);
		goto fail;
	} else if (r != 0) {
		PyErr_SetString(PyExc_MemoryError, "response head");
		goto fail;
	}
	sr->called = 1;
	Py_DECREF(keep);
	return PyObject_GetAttrString(self, "write");
 fail:
	Py_XDECREF(keep);
	return NULL;
}

static PyObject *
start_response_write(PyObject *self, PyObject *data)
{
	struct start_response	*sr = (struct start_response *)self;
	int			 r;

	if (sr->ex == NULL || !sr->called) {
		PyErr_SetString(PyExc_RuntimeError,
		    "write() before start_response or after the response");
		return NULL;
	}
	if (!PyBytes_Check(data)) {
		PyErr_Format(PyExc_TypeError, "write() takes bytes, not %s",
		    Py_TYPE(data)->tp_name);
		return NULL;
	}
	/* The socket may block: let the app's other threads run. */
	Py_BEGIN_ALLOW_THREADS
	r = http_resp_write(&sr->ex->resp, PyBytes_AS_STRING(data),
	    PyBytes_GET_SIZE(data));
	Py_END_ALLOW_THREADS
	if (r == -EMSGSIZE)
		return wsgi_too_long(sr->ex);
	if (r != 0) {
		errno = -r;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
	Py_RETURN_NONE;
}

static PyMethodDef start_response_methods[] = {
	{ "write", start_response_write, METH_O,
	  "PEP 3333 write(): send body bytes now." },
	{ NULL, NULL, 0, NULL }
};

static void
start_response_dealloc(PyObject *self)
{
	PyTypeObject	*tp = Py_TYPE(self);

	tp->tp_free(self);
	Py_DECREF(tp);
}

static PyType_Slot start_response_slots[] = {
	{ Py_tp_call, start_response_call },
	{ Py_tp_methods, start_response_methods },
	{ Py_tp_dealloc, start_response_dealloc },
	{ Py_tp_doc, "The start_response callable forkd gives a WSGI app." },
	{ 0, NULL }
};

static PyType_Spec start_response_spec = {
	.name = "forkd.StartResponse",
	.basicsize = sizeof(struct start_response),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
	.slots = start_response_slots,
};

/*
 * wsgi.file_wrapper: iterates filelike in blksize blocks; when the app
 * returns it as is and the file is a regular file, the bridge sends it
 * with sendfile(2) instead (wsgi_sendfile).
 */
struct file_wrapper {
	PyObject_HEAD
	PyObject	*filelike;	/* owned */
	Py_ssize_t	 blksize;
};

static PyObject *
file_wrapper_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
	static char		*kwlist[] = { "filelike", "blksize", NULL };
	struct file_wrapper	*fw;
	PyObject		*filelike;
	Py_ssize_t		 blksize = 8192;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|n:file_wrapper", kwlist,
	    &filelike, &blksize))
		return NULL;
	if (blksize <= 0) {
		PyErr_SetString(PyExc_ValueError, "blksize must be positive");
		return NULL;
	}
	if ((fw = (struct file_wrapper *)tp->tp_alloc(tp, 0)) == NULL)
		return NULL;
	fw->filelike = Py_NewRef(filelike);
	fw->blksize = blksize;
	return (PyObject *)fw;
}

static PyObject *
file_wrapper_next(PyObject *self)
{
	struct file_wrapper	*fw = (struct file_wrapper *)self;
	PyObject		*data;

	data = PyObject_CallMethod(fw->filelike, "read", "n", fw->blksize);
	if (data == NULL)
		return NULL;
	if (PyBytes_Check(data) && PyBytes_GET_SIZE(data) == 0) {
		Py_DECREF(data);
		return NULL;		/* StopIteration */
	}
	return data;
}

static PyObject *
file_wrapper_close(PyObject *self, PyObject *unused)
{
	struct file_wrapper	*fw = (struct file_wrapper *)self;

	(void)unused;
	if (PyObject_HasAttrString(fw->filelike, "close"))
		return PyObject_CallMethod(fw->filelike, "close", NULL);
	Py_RETURN_NONE;
}

static int
file_wrapper_traverse(PyObject *self, visitproc visit, void *arg)
{
	Py_VISIT(((struct file_wrapper *)self)->filelike);
	Py_VISIT(Py_TYPE(self));
	return 0;
}

static void
file_wrapper_dealloc(PyObject *self)
{
	PyTypeObject	*tp = Py_TYPE(self);

	PyObject_GC_UnTrack(self);
	Py_CLEAR(((struct file_wrapper *)self)->filelike);
	tp->tp_free(self);
	Py_DECREF(tp);
}

static PyMethodDef file_wrapper_methods[] = {
	{ "close", file_wrapper_close, METH_NOARGS,
	  "Close the wrapped file (PEP 3333)." },
	{ NULL, NULL, 0, NULL }
};

static PyType_Slot file_wrapper_slots[] = {
	{ Py_tp_new, file_wrapper_new },
	{ Py_tp_iter, PyObject_SelfIter },
	{ Py_tp_iternext, file_wrapper_next },
	{ Py_tp_methods, file_wrapper_methods },
	{ Py_tp_traverse, file_wrapper_traverse },
	{ Py_tp_dealloc, file_wrapper_dealloc },
	{ Py_tp_doc, "wsgi.file_wrapper: sent with sendfile(2) when possible." },
	{ 0, NULL }
};

static PyType_Spec file_wrapper_spec = {
	.name = "forkd.FileWrapper",
	.basicsize = sizeof(struct file_wrapper),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.slots = file_wrapper_slots,
};

PyObject *
forkd_wsgi_types(PyObject *m)
{
	return PyType_FromModuleAndSpec(m, &start_response_spec, NULL);
}

PyObject *
forkd_wsgi_file_wrapper_type(PyObject *m)
{
	return PyType_FromModuleAndSpec(m, &file_wrapper_spec, NULL);
}

/*
 * Sends a FileWrapper over a regular file with sendfile(2).  Returns 1
 * when sent (or the client left), 0 when the caller must iterate it
 * instead, -1 with an exception set.
 */
static int
wsgi_sendfile(struct start_response *sr, PyObject *result)
{
	struct file_wrapper	*fw = (struct file_wrapper *)result;
	struct http_resp	*r = &sr->ex->resp;
	struct stat		 sb;
	PyObject		*o;
	long long		 pos;
	int			 fd, rc;
	size_t			 len;

	if (!sr->called || r->sink != NULL)
		return 0;
	if ((o = PyObject_CallMethod(fw->filelike, "fileno", NULL)) == NULL) {
		PyErr_Clear();
		return 0;
	}
	fd = PyLong_AsLong(o);
	Py_DECREF(o);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		PyErr_Clear();
		return 0;
	}
	/* tell() counts what the file object buffered; lseek would not. */
	if ((o = PyObject_CallMethod(fw->filelike, "tell", NULL)) == NULL) {
		PyErr_Clear();
		pos = lseek(fd, 0, SEEK_CUR);
	} else {
		pos = PyLong_AsLongLong(o);
		Py_DECREF(o);
	}
	if (pos < 0 || pos > sb.st_size) {
		PyErr_Clear();
		return 0;
	}
	len = sb.st_size - pos;
	if (r->content_length >= 0 && (uint64_t)r->content_length < len)
		len = r->content_length;
	Py_BEGIN_ALLOW_THREADS
	rc = http_resp_sendfile(r, fd, pos, len);
	Py_END_ALLOW_THREADS
	if (rc == -ENOTSUP)
		return 0;
	return 1;	/* a failed send is in r->error: the client left */
}

static int
wsgi_set(PyObject *env, const char *key, PyObject *v)
{
	int	r;

	if (v == NULL)
		return -1;
	r = PyDict_SetItemString(env, key, v);
	Py_DECREF(v);
	return r;
}

static int
wsgi_set_str(PyObject *env, const char *key, const char *s, size_t n)
{
	return wsgi_set(env, key, PyUnicode_DecodeLatin1(s, n, NULL));
}

static int
wsgi_set_headers(PyObject *env, const struct http_request *req)
{
	char		 key[256 + 6];
	const struct http_header *h;
	PyObject	*k, *v, *old, *joined;
	size_t		 i, kl;
	int		 r;

	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		if (h->name_len > 256)
			continue;
		kl = http_env_key(h->name, h->name_len, key);
		if ((k = PyUnicode_FromStringAndSize(key, kl)) == NULL)
			return -1;
		if ((v = PyUnicode_DecodeLatin1(h->value, h->value_len,
		    NULL)) == NULL) {
			Py_DECREF(k);
			return -1;
		}
		/* Repeated fields join with "," (RFC 9110 5.3, as CGI does). */
		if ((old = PyDict_GetItemWithError(env, k)) != NULL) {
			joined = PyUnicode_FromFormat("%U,%U", old, v);
			Py_DECREF(v);
			v = joined;
		} else if (PyErr_Occurred())
			v = NULL;
		r = v == NULL ? -1 : PyDict_SetItem(env, k, v);
		Py_DECREF(k);
		Py_XDECREF(v);
		if (r != 0)
			return -1;
	}
	return 0;
}

static PyObject *
wsgi_environ(struct forkd_state *st, struct http_exchange *ex)
{
	const struct http_request *req = &ex->req;
	PyObject	*env, *body, *err;
	char		*path;
	size_t		 off, n;
	const char	*script;

	if ((env = PyDict_New()) == NULL)
		return NULL;
	off = http_origin_offset(req->path, req->path_len);
	if ((path = PyMem_Malloc(req->path_len + 2)) == NULL) {
		PyErr_NoMemory();
		goto fail;
	}
	n = http_path_decode(req->path + off, req->path_len - off, path);
	if (n == 0)
		path[n++] = '/';
	script = getenv("SCRIPT_NAME");
	if (script == NULL)
		script = "";
	/* gunicorn's rule: a path under SCRIPT_NAME loses that prefix. */
	if (*script != '\0' && n >= strlen(script) &&
	    memcmp(path, script, strlen(script)) == 0 &&
	    (n == strlen(script) || path[strlen(script)] == '/')) {
		size_t	k = strlen(script);

		memmove(path, path + k, n - k);
		n -= k;
		if (n == 0)
			path[n++] = '/';
	}
	if (wsgi_set_str(env, "REQUEST_METHOD", req->method,
	    req->method_len) != 0 ||
	    wsgi_set_str(env, "SCRIPT_NAME", script, strlen(script)) != 0 ||
	    wsgi_set_str(env, "PATH_INFO", path, n) != 0 ||
	    wsgi_set_str(env, "QUERY_STRING", req->query,
	    req->query_len) != 0 ||
	    wsgi_set_str(env, "RAW_URI", req->target, req->target_len) != 0 ||
	    wsgi_set_str(env, "REQUEST_URI", req->target,
	    req->target_len) != 0 ||
	    wsgi_set_str(env, "SERVER_PROTOCOL", req->minor_version ?
	    "HTTP/1.1" : "HTTP/1.0", 8) != 0 ||
	    wsgi_set_str(env, "SERVER_NAME", ex->server_name,
	    strlen(ex->server_name)) != 0 ||
	    wsgi_set_str(env, "SERVER_PORT", ex->server_port,
	    strlen(ex->server_port)) != 0 ||
	    wsgi_set_str(env, "REMOTE_ADDR", ex->remote_addr,
	    strlen(ex->remote_addr)) != 0 ||
	    wsgi_set_str(env, "REMOTE_PORT", ex->remote_port,
	    strlen(ex->remote_port)) != 0 ||
	    wsgi_set_headers(env, req) != 0) {
		PyMem_Free(path);
		goto fail;
	}
	PyMem_Free(path);
	/* The parser owns framing: CONTENT_LENGTH is the decoded body's. */
	if (ex->body_total > 0 || req->content_length >= 0 || req->chunked) {
		char	cl[24];

		snprintf(cl, sizeof(cl), "%llu",
		    (unsigned long long)ex->body_total);
		if (wsgi_set_str(env, "CONTENT_LENGTH", cl, strlen(cl)) != 0)
			goto fail;
	}
	if (ex->body_fd >= 0) {
		/* A spilled body: a file of its own, read from the start. */
		int	fd = dup(ex->body_fd);

		if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
			if (fd >= 0)
				close(fd);
			PyErr_SetFromErrno(PyExc_OSError);
			goto fail;
		}
		if (wsgi_set(env, "wsgi.input", PyFile_FromFd(fd, NULL, "rb",
		    -1, NULL, NULL, NULL, 1)) != 0)
			goto fail;
	} else {
		if ((body = PyBytes_FromStringAndSize(ex->body,
		    ex->body_len)) == NULL)
			goto fail;
		if (wsgi_set(env, "wsgi.input", PyObject_CallOneArg(
		    st->bytesio, body)) != 0) {
			Py_DECREF(body);
			goto fail;
		}
		Py_DECREF(body);
	}
	err = PySys_GetObject("stderr");	/* borrowed */
	if (PyDict_SetItemString(env, "wsgi.errors",
	    err != NULL ? err : Py_None) != 0 ||
	    PyDict_SetItemString(env, "wsgi.version", st->wsgi_version) != 0 ||
	    wsgi_set_str(env, "wsgi.url_scheme", ex->url_scheme,
	    strlen(ex->url_scheme)) != 0 ||
	    PyDict_SetItemString(env, "wsgi.multithread", Py_False) != 0 ||
	    PyDict_SetItemString(env, "wsgi.multiprocess", Py_True) != 0 ||
	    PyDict_SetItemString(env, "wsgi.run_once", Py_False) != 0 ||
	    PyDict_SetItemString(env, "wsgi.input_terminated", Py_True) != 0 ||
	    PyDict_SetItemString(env, "wsgi.file_wrapper",
	    st->file_wrapper_type) != 0 ||
	    wsgi_set(env, "forkd.worker_id",
	    PyLong_FromUnsignedLong(st->worker_id)) != 0)
		goto fail;
	if (ex->warmup &&
	    PyDict_SetItemString(env, "forkd.warmup", Py_True) != 0)
		goto fail;
	return env;
 fail:
	Py_DECREF(env);
	return NULL;
}

/* Logs the pending exception with its traceback; clears it. */
static void
wsgi_log_exception(struct http_exchange *ex, const char *what)
{
	log_warnx("%.*s %.*s: %s", (int)ex->req.method_len, ex->req.method,
	    (int)ex->req.target_len, ex->req.target, what);
	forkd_print_exception();
}

static void
wsgi_answer_500(struct http_exchange *ex)
{
	static const struct http_resp_header h[] = {
		{ "Content-Type", 12, "text/plain; charset=utf-8", 25 },
	};
	static const char body[] = "500 Internal Server Error\n";

	if (ex->resp.sent_head) {
		/* The head is out: all we can do is cut the connection. */
		ex->resp.keep_alive = 0;
		if (ex->resp.error == 0)
			ex->resp.error = -EIO;
		return;
	}
	ex->resp.length_hint = -1;
	if (http_resp_start(&ex->resp, "500 Internal Server Error", 25, h,
	    1) != 0)
		return;
	http_resp_set_length_hint(&ex->resp, sizeof(body) - 1);
	(void)http_resp_write(&ex->resp, body, sizeof(body) - 1);
	(void)http_resp_finish(&ex->resp);
}

/* Sums the lengths of a list or tuple of bytes; -1 if not one. */
static int64_t
wsgi_known_length(PyObject *result)
{
	PyObject	**items;
	Py_ssize_t	  i, n;
	int64_t		  total = 0;

	if (PyList_CheckExact(result)) {
		items = ((PyListObject *)result)->ob_item;
		n = PyList_GET_SIZE(result);
	} else if (PyTuple_CheckExact(result)) {
		items = ((PyTupleObject *)result)->ob_item;
		n = PyTuple_GET_SIZE(result);
	} else
		return -1;
	for (i = 0; i < n; i++) {
		if (!PyBytes_CheckExact(items[i]))
			return -1;
		total += PyBytes_GET_SIZE(items[i]);
	}
	return total;
}

/*
 * Iterates the app's result into the response; returns 0, or -1 with an
 * exception set or when the client left.
 */
static int
wsgi_send_result(struct forkd_state *st, struct start_response *sr,
    PyObject *result)
{
	struct http_exchange	*ex = sr->ex;
	PyObject		*it, *item;
	int64_t			 hint;
	int			 r;

	if (Py_TYPE(result) == (PyTypeObject *)st->file_wrapper_type) {
		if ((r = wsgi_sendfile(sr, result)) != 0)
			return r < 0 ? -1 : 0;
	}
	if ((hint = wsgi_known_length(result)) >= 0 &&
	    ex->resp.content_length < 0)
		http_resp_set_length_hint(&ex->resp, hint);
	if ((it = PyObject_GetIter(result)) == NULL)
		return -1;
	while ((item = PyIter_Next(it)) != NULL) {
		if (!PyBytes_Check(item)) {
			PyErr_Format(PyExc_TypeError, "WSGI: the app yielded "
			    "%s, not bytes", Py_TYPE(item)->tp_name);
			Py_DECREF(item);
			break;
		}
		if (!sr->called) {
			PyErr_SetString(PyExc_RuntimeError, "WSGI: body "
			    "before start_response");
			Py_DECREF(item);
			break;
		}
		Py_BEGIN_ALLOW_THREADS
		r = http_resp_write(&ex->resp, PyBytes_AS_STRING(item),
		    PyBytes_GET_SIZE(item));
		Py_END_ALLOW_THREADS
		Py_DECREF(item);
		if (r == -EMSGSIZE) {
			(void)wsgi_too_long(ex);
			break;
		}
		if (r != 0)
			break;		/* the client left: stop iterating */
	}
	Py_DECREF(it);
	if (PyErr_Occurred())
		return -1;
	if (ex->resp.error != 0)
		return 0;
	if (!sr->called) {
		PyErr_SetString(PyExc_RuntimeError,
		    "WSGI: the app returned without calling start_response");
		return -1;
	}
	return 0;
}

static void
wsgi_close_result(struct http_exchange *ex, PyObject *result)
{
	PyObject	*close, *r;

	if ((close = PyObject_GetAttrString(result, "close")) == NULL) {
		PyErr_Clear();
		return;
	}
	r = PyObject_CallNoArgs(close);
	Py_DECREF(close);
	if (r == NULL) {
		wsgi_log_exception(ex, "the app's close() raised");
		ex->resp.keep_alive = 0;
	}
	Py_XDECREF(r);
}

void
py_wsgi_handle(struct http_exchange *ex, void *arg)
{
	/* The worker waits for requests without the GIL. */
	PyGILState_STATE	 gil = PyGILState_Ensure();

	wsgi_handle(ex, arg);
	PyGILState_Release(gil);
}

static void
wsgi_handle(struct http_exchange *ex, void *arg)
{
	struct forkd_state	*st = arg;
	struct start_response	*sr;
	PyObject		*env, *result = NULL;

	sr = PyObject_New(struct start_response,
	    (PyTypeObject *)st->start_response_type);
	if (sr == NULL) {
		wsgi_log_exception(ex, "cannot build start_response");
		wsgi_answer_500(ex);
		return;
	}
	sr->ex = ex;
	sr->called = 0;
	if ((env = wsgi_environ(st, ex)) == NULL) {
		wsgi_log_exception(ex, "cannot build the environ");
		wsgi_answer_500(ex);
		goto out;
	}
	result = PyObject_CallFunctionObjArgs(st->app, env, (PyObject *)sr,
	    NULL);
	Py_DECREF(env);
	if (result == NULL) {
		wsgi_log_exception(ex, "the app raised, answered 500");
		wsgi_answer_500(ex);
		goto out;
	}
	if (wsgi_send_result(st, sr, result) != 0) {
		wsgi_log_exception(ex, ex->resp.sent_head ?
		    "the app raised mid-response, connection dropped" :
		    "the app raised, answered 500");
		wsgi_answer_500(ex);
	}
	wsgi_close_result(ex, result);
	Py_DECREF(result);
	if (ex->resp.error == 0 && !ex->resp.finished) {
		int	rc;

		Py_BEGIN_ALLOW_THREADS
		rc = http_resp_finish(&ex->resp);
		Py_END_ALLOW_THREADS
		if (rc == -EINVAL)
			wsgi_answer_500(ex);
	}
 out:
	sr->ex = NULL;
	Py_DECREF(sr);
}
