#!/bin/sh
# PEP 3333 as the standard library checks it: the example app wrapped in
# wsgiref.validate.validator, with its warnings turned into errors, is
# driven through every kind of request and response forkd handles.
. "$(dirname "$0")/lib.sh"
plan 13

mkdir "$T/app"
cat > "$T/app/validated.py" <<'PY'
import sys, warnings
from wsgiref.validate import validator, WSGIWarning
warnings.simplefilter("error", WSGIWarning)
from app import app as _app
_checked = validator(_app)

def _no_content_type(environ, start_response):
    start_response("200 OK", [])
    return [b"x"]
_bad = validator(_no_content_type)

def app(environ, start_response):
    if environ["PATH_INFO"] == "/bad":
        return _bad(environ, start_response)
    return _checked(environ, start_response)
PY
start_forkd --app validated:app --chdir "$T/app" --pythonpath "$APPDIR" -w 1
ok $? "forkd serves the app under wsgiref's validator"
is "$(get /)" "Hello from forkd" "GET"
is "$(get /echo -d 'a body')" "a body" "POST with a body"
is "$(get '/echo?q=1')" "q=1" "a query string"
like "$(curl -s -I --max-time 5 "$URL/")" "^HTTP/1.1 200" "HEAD"
is "$(curl -s --http1.0 --max-time 5 "$URL/")" "Hello from forkd" "HTTP/1.0"
is "$(get /write)" "written and returned" "the write() callable"
is "$(get '/stream?n=2' | wc -l)" 2 "a generator with close()"
is "$(get /file | wc -c)" "$(wc -c < "$APPDIR/app.py")" "wsgi.file_wrapper"
is "$(status /nope)" 404 "a 404"
is "$(get /pid | wc -w)" 3 "the forkd module from a validated app"
is "$(grep -Ec 'WSGIWarning|AssertionError|answered 500' "$LOG")" 0 "no validator warning or error in the log"
# The validator is live: an app without Content-Type fails it.
is "$(status /bad)" 500 "(control: the validator refuses a response without Content-Type)"
done_testing
