"""A stand-in for forkd's built-in `forkd` module, for running
examples/hello/app.py under gunicorn in bench/hello.sh (gunicorn has no
`forkd` module; the app imports it at the top).  Only the names the app
uses; they do nothing that would cost time on the benchmarked path."""


def post_fork(fn):
    return fn


def pre_fork(fn):
    return fn


def worker_id():
    return 0
