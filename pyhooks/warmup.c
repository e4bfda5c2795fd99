/*
 * warmup.c: the in-process client warmup requests go through.  A request
 * is built as raw HTTP/1.1 bytes, parsed by the same parser the workers
 * use, run through the same WSGI bridge with environ["forkd.warmup"] set,
 * and its response is captured in memory instead of a socket.  No socket
 * is opened.
 *
 *	@forkd.warmup
 *	def warm(client):
 *		r = client.get("/items?page=2", headers={"Accept": "text/html"})
 *		assert r.status == 200
 *		client.post("/search", body=b"q=x",
 *		    headers={"Content-Type": "application/x-www-form-urlencoded"})
 *
 * A response is a struct sequence (status, headers, body).
 */
#include "forkd_state.h"
#include "http_conn.h"
#include "log.h"
#include "py.h"

#include <strings.h>

struct membuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

struct warmup_client {
	PyObject_HEAD
	struct forkd_state	*st;	/* borrowed: the module's state */
};

static int
membuf_sink(void *arg, const struct iovec *iov, int iovcnt)
{
	struct membuf	*b = arg;
	size_t		 need = b->len, cap;
	char		*p;
	int		 i;

	for (i = 0; i < iovcnt; i++)
		need += iov[i].iov_len;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < need)
			cap *= 2;
		if ((p = PyMem_RawRealloc(b->p, cap)) == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	for (i = 0; i < iovcnt; i++) {
		memcpy(b->p + b->len, iov[i].iov_base, iov[i].iov_len);
		b->len += iov[i].iov_len;
	}
	return 0;
}

static PyStructSequence_Field response_fields[] = {
	{ "status", "the HTTP status code (int)" },
	{ "headers", "a list of (name, value) str pairs" },
	{ "body", "the body (bytes)" },
	{ NULL, NULL }
};

static PyStructSequence_Desc response_desc = {
	"forkd.WarmupResponse",
	"What the app answered to a warmup request.",
	response_fields,
	3,
};

/* Splits the captured response into a WarmupResponse. */
static PyObject *
warmup_response(struct forkd_state *st, const char *p, size_t len)
{
	PyObject	*r, *headers, *pair;
	const char	*end = p + len, *line, *eol, *colon, *v;
	int		 status;

	if (len < 12 || memcmp(p, "HTTP/1.", 7) != 0) {
		PyErr_SetString(PyExc_RuntimeError, "warmup: no response");
		return NULL;
	}
	status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if ((headers = PyList_New(0)) == NULL)
		return NULL;
	line = memchr(p, '\n', len);
	line = line ? line + 1 : end;
	while (line < end && (eol = memchr(line, '\r', end - line)) != NULL &&
	    eol != line) {
		if ((colon = memchr(line, ':', eol - line)) != NULL) {
			v = colon + 1;
			while (v < eol && *v == ' ')
				v++;
			pair = Py_BuildValue("(NN)",
			    PyUnicode_DecodeLatin1(line, colon - line, NULL),
			    PyUnicode_DecodeLatin1(v, eol - v, NULL));
			if (pair == NULL || PyList_Append(headers, pair) != 0) {
				Py_XDECREF(pair);
				Py_DECREF(headers);
				return NULL;
			}
			Py_DECREF(pair);
		}
		line = eol + 2;
	}
	line = line + 2 <= end ? line + 2 : end;	/* the blank line */
	if ((r = PyStructSequence_New((PyTypeObject *)st->response_type)) ==
	    NULL) {
		Py_DECREF(headers);
		return NULL;
	}
	PyStructSequence_SET_ITEM(r, 0, PyLong_FromLong(status));
	PyStructSequence_SET_ITEM(r, 1, headers);
	PyStructSequence_SET_ITEM(r, 2,
	    PyBytes_FromStringAndSize(line, end - line));
	if (PyErr_Occurred()) {
		Py_DECREF(r);
		return NULL;
	}
	return r;
}

PyObject *
forkd_warmup_run(struct forkd_state *st, const char *raw, size_t len)
{
	struct http_exchange	 ex;
	struct membuf		 out = { NULL, 0, 0 };
	PyObject		*r;
	int			 n;

	memset(&ex, 0, sizeof(ex));
	n = http_parse_request(raw, len, &ex.req, NULL);
	if (n <= 0 || (ex.req.content_length >= 0 &&
	    (size_t)n + ex.req.content_length != len) ||
	    (ex.req.content_length < 0 && (size_t)n != len) ||
	    ex.req.chunked) {
		PyErr_Format(PyExc_ValueError, "warmup: malformed request "
		    "(the HTTP parser's verdict: %d)", n);
		return NULL;
	}
	ex.body = raw + n;
	ex.body_len = len - n;
	ex.body_fd = -1;
	ex.body_total = ex.body_len;
	ex.remote_addr = "127.0.0.1";
	ex.remote_port = "0";
	ex.server_name = "localhost";
	ex.server_port = "0";
	ex.url_scheme = "http";
	ex.warmup = 1;
	http_resp_init(&ex.resp, -1, ex.req.minor_version,
	    ex.req.method_len == 4 && memcmp(ex.req.method, "HEAD", 4) == 0,
	    0);
	ex.resp.sink = membuf_sink;
	ex.resp.sink_arg = &out;
	st->warmup_requests++;
	py_wsgi_handle(&ex, st);
	if (!ex.resp.finished)
		(void)http_resp_finish(&ex.resp);
	http_resp_free(&ex.resp);
	r = warmup_response(st, out.p, out.len);
	PyMem_RawFree(out.p);
	if (r == NULL)
		return NULL;
	n = (int)PyLong_AsLong(PyStructSequence_GET_ITEM(r, 0));
	if (n < 200 || n > 299) {
		st->warmup_non2xx++;
		log_warnx("warmup: %.*s %.*s answered %d",
		    (int)ex.req.method_len, ex.req.method,
		    (int)ex.req.target_len, ex.req.target, n);
	}
	return r;
}

/* Appends "Name: value\r\n" lines for a dict or a list of pairs. */
static int
warmup_headers(PyObject *h, PyObject *out, int *has_host)
{
	PyObject	*items, *it, *line;
	Py_ssize_t	 i;
	int		 rc = -1;

	if (h == NULL || h == Py_None)
		return 0;
	if (PyDict_Check(h))
		items = PyDict_Items(h);
	else
		items = PySequence_List(h);
	if (items == NULL)
		return -1;
	for (i = 0; i < PyList_GET_SIZE(items); i++) {
		it = PyList_GET_ITEM(items, i);
		if (!PyTuple_Check(it) || PyTuple_GET_SIZE(it) != 2) {
			PyErr_SetString(PyExc_TypeError,
			    "headers: want a dict or (name, value) pairs");
			goto out;
		}
		line = PyUnicode_FromFormat("%S: %S\r\n",
		    PyTuple_GET_ITEM(it, 0), PyTuple_GET_ITEM(it, 1));
		if (line == NULL || PyList_Append(out, line) != 0) {
			Py_XDECREF(line);
			goto out;
		}
		if (PyUnicode_Check(PyTuple_GET_ITEM(it, 0)) &&
		    PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(it, 0)) == 4) {
			const char *nm = PyUnicode_AsUTF8(PyTuple_GET_ITEM(it,
			    0));

			if (nm != NULL && strcasecmp(nm, "host") == 0)
				*has_host = 1;
			PyErr_Clear();
		}
		Py_DECREF(line);
	}
	rc = 0;
 out:
	Py_DECREF(items);
	return rc;
}

static PyObject *
warmup_request(struct warmup_client *c, const char *method, PyObject *path,
    PyObject *body, PyObject *headers)
{
	PyObject	*parts, *head = NULL, *raw = NULL, *bbody = NULL;
	PyObject	*sep = NULL, *r = NULL, *tmp;
	int		 has_host = 0;

	if (!PyUnicode_Check(path)) {
		PyErr_SetString(PyExc_TypeError, "path must be a str");
		return NULL;
	}
	if (body == NULL || body == Py_None)
		bbody = PyBytes_FromStringAndSize("", 0);
	else if (PyUnicode_Check(body))
		bbody = PyUnicode_AsUTF8String(body);
	else
		bbody = PyBytes_FromObject(body);
	if (bbody == NULL)
		return NULL;
	if ((parts = PyList_New(0)) == NULL)
		goto out;
	tmp = PyUnicode_FromFormat("%s %U HTTP/1.1\r\n", method, path);
	if (tmp == NULL || PyList_Append(parts, tmp) != 0) {
		Py_XDECREF(tmp);
		goto out;
	}
	Py_DECREF(tmp);
	if (warmup_headers(headers, parts, &has_host) != 0)
		goto out;
	if (!has_host)
		tmp = PyUnicode_FromString("Host: localhost\r\n");
	else
		tmp = PyUnicode_FromString("");
	if (tmp == NULL || PyList_Append(parts, tmp) != 0) {
		Py_XDECREF(tmp);
		goto out;
	}
	Py_DECREF(tmp);
	tmp = PyUnicode_FromFormat("Content-Length: %zd\r\n\r\n",
	    PyBytes_GET_SIZE(bbody));
	if (tmp == NULL || PyList_Append(parts, tmp) != 0) {
		Py_XDECREF(tmp);
		goto out;
	}
	Py_DECREF(tmp);
	if ((sep = PyUnicode_FromString("")) == NULL ||
	    (head = PyUnicode_Join(sep, parts)) == NULL)
		goto out;
	if ((raw = PyUnicode_AsLatin1String(head)) == NULL)
		goto out;
	PyBytes_Concat(&raw, bbody);
	if (raw == NULL)
		goto out;
	r = forkd_warmup_run(c->st, PyBytes_AS_STRING(raw),
	    PyBytes_GET_SIZE(raw));
 out:
	Py_XDECREF(parts);
	Py_XDECREF(sep);
	Py_XDECREF(head);
	Py_XDECREF(raw);
	Py_XDECREF(bbody);
	return r;
}

static PyObject *
client_get(PyObject *self, PyObject *args, PyObject *kw)
{
	static char	*kwlist[] = { "path", "headers", NULL };
	PyObject	*path, *headers = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|O:get", kwlist, &path,
	    &headers))
		return NULL;
	return warmup_request((struct warmup_client *)self, "GET", path,
	    NULL, headers);
}

static PyObject *
client_post(PyObject *self, PyObject *args, PyObject *kw)
{
	static char	*kwlist[] = { "path", "body", "headers", NULL };
	PyObject	*path, *body = NULL, *headers = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "U|OO:post", kwlist, &path,
	    &body, &headers))
		return NULL;
	return warmup_request((struct warmup_client *)self, "POST", path,
	    body, headers);
}

static PyObject *
client_request(PyObject *self, PyObject *args, PyObject *kw)
{
	static char	*kwlist[] = { "method", "path", "body", "headers",
			    NULL };
	const char	*method;
	PyObject	*path, *body = NULL, *headers = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "sU|OO:request", kwlist,
	    &method, &path, &body, &headers))
		return NULL;
	return warmup_request((struct warmup_client *)self, method, path,
	    body, headers);
}

static PyMethodDef client_methods[] = {
	{ "get", (PyCFunction)(void (*)(void))client_get,
	  METH_VARARGS | METH_KEYWORDS,
	  "get(path, headers=None) -> WarmupResponse" },
	{ "post", (PyCFunction)(void (*)(void))client_post,
	  METH_VARARGS | METH_KEYWORDS,
	  "post(path, body=b'', headers=None) -> WarmupResponse" },
	{ "request", (PyCFunction)(void (*)(void))client_request,
	  METH_VARARGS | METH_KEYWORDS,
	  "request(method, path, body=b'', headers=None) -> WarmupResponse" },
	{ NULL, NULL, 0, NULL }
};

static void
client_dealloc(PyObject *self)
{
	PyTypeObject	*tp = Py_TYPE(self);

	tp->tp_free(self);
	Py_DECREF(tp);
}

static PyType_Slot client_slots[] = {
	{ Py_tp_methods, client_methods },
	{ Py_tp_dealloc, client_dealloc },
	{ Py_tp_doc, "The in-process client @forkd.warmup hooks are given." },
	{ 0, NULL }
};

static PyType_Spec client_spec = {
	.name = "forkd.WarmupClient",
	.basicsize = sizeof(struct warmup_client),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
	.slots = client_slots,
};

int
forkd_warmup_types(PyObject *m, struct forkd_state *st)
{
	if ((st->client_type = PyType_FromModuleAndSpec(m, &client_spec,
	    NULL)) == NULL)
		return -1;
	if ((st->response_type = (PyObject *)PyStructSequence_NewType(
	    &response_desc)) == NULL)
		return -1;
	return 0;
}

int
forkd_warmup_hooks(struct forkd_state *st)
{
	struct warmup_client	*c;
	PyObject		*list = st->hooks[FORKD_HOOK_WARMUP], *r;
	Py_ssize_t		 i;
	int			 rc = 0;

	if (PyList_GET_SIZE(list) == 0)
		return 0;
	c = PyObject_New(struct warmup_client, (PyTypeObject *)st->client_type);
	if (c == NULL)
		return -1;
	c->st = st;
	for (i = 0; i < PyList_GET_SIZE(list) && rc == 0; i++) {
		r = PyObject_CallOneArg(PyList_GET_ITEM(list, i),
		    (PyObject *)c);
		if (r == NULL)
			rc = -1;
		Py_XDECREF(r);
	}
	Py_DECREF(c);
	return rc;
}
