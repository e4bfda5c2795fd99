#!/bin/sh
# The example sites (examples/flask, examples/django, examples/stdlib)
# under forkd with 2 workers: every path in their urls.txt answers 200
# with the page it should, an unknown path gets the site's 404 page, a
# form POST is validated (201 echoed, 400 with errors), 50 parallel
# requests all answer and the workers are still the same afterwards.
#
# The frameworks are Debian's python3-flask and python3-django, in the
# dist-packages directory Debian's python3 reads; another CPython reaches
# them through PYTHONPATH.  A part whose framework does not import on the
# Python this build embeds (Django 3.2 on 3.13) is skipped, test by test,
# so the plan stays the same.  The stdlib site needs no package and runs
# on every Python; it also keeps a cart in its signed cookie session.
. "$(dirname "$0")/lib.sh"

FLASK=$TOP/examples/flask
DJANGO=$TOP/examples/django
STDLIB=$TOP/examples/stdlib
nf=$(grep -c '^/' "$FLASK/urls.txt")
nd=$(grep -c '^/' "$DJANGO/urls.txt")
ns=$(grep -c '^/' "$STDLIB/urls.txt")
N_FLASK=$((nf + 7))
N_DJANGO=$((nd + 9))
N_STDLIB=$((ns + 13))
plan $((N_FLASK + N_DJANGO + N_STDLIB))

# Debian's dist-packages, where the machine has one (looked for, not
# assumed).
DIST=/usr/lib/python3/dist-packages
if [ -d "$DIST" ]; then
	PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$DIST
	export PYTHONPATH
fi
PYVER=${FORKD_PYVER:-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)}
# The SQLite files of the Django and stdlib examples: created by the
# apps in here.
FORKD_EXAMPLE_DB=$T/db
export FORKD_EXAMPLE_DB

# importable MODULES: 0 when the embedded Python imports them; WHY says
# why not.
importable() {
	WHY=$("$PY" -c "import $1" 2>&1 | tail -n 1)
	"$PY" -c "import $1" >/dev/null 2>&1
}

skip_n() {
	_i=0
	while [ $_i -lt "$1" ]; do
		ok 0 "# SKIP $2"
		_i=$((_i + 1))
	done
}

# fetch PATH [curl args]: the body, then a last line "HTTP:<status>".
fetch() {
	_p=$1
	shift
	curl -s --max-time 10 -w '\nHTTP:%{http_code}' "$@" "$URL$_p"
}
code_of() { printf '%s\n' "$1" | sed -n 's/^HTTP://p' | tail -n 1; }

# answers PATH STATUS REGEX DESCRIPTION [curl args]: one test, the status
# and a grep -E on the body.
answers() {
	_p=$1 _want=$2 _re=$3 _d=$4
	shift 4
	_out=$(fetch "$_p" "$@")
	_code=$(code_of "$_out")
	if [ "$_code" = "$_want" ] && printf '%s' "$_out" | grep -Eq -- "$_re"; then
		ok 0 "$_d"
	else
		ok 1 "$_d"
		printf '#   got:  %s %.300s\n#   want: %s /%s/\n' "$_code" \
		    "$(printf '%s' "$_out" | tr '\n' ' ')" "$_want" "$_re" >&2
	fi
}

# every_url DIR EXPECT-FUNCTION NAME: each path of DIR/urls.txt answers
# 200 with what EXPECT-FUNCTION PATH prints (a regex).
every_url() {
	for _u in $(grep '^/' "$1/urls.txt"); do
		answers "$_u" 200 "$($2 "$_u")" "$3: GET $_u"
	done
}

# load DIR N: N GETs over DIR/urls.txt, 5 at a time; prints how many
# answered 200.
load() {
	_urls=$(grep '^/' "$1/urls.txt")
	_i=0
	while [ $_i -lt "$2" ]; do
		for _u in $_urls; do
			[ $_i -lt "$2" ] && echo "$URL$_u"
			_i=$((_i + 1))
		done
	done | xargs -P 5 -n 1 curl -s -o /dev/null --max-time 20 \
	    -w '%{http_code}\n' | grep -c '^200$'
}

# after_load DIR NAME: 50 requests, then the same 2 workers still answer.
after_load() {
	is "$(load "$1" 50)" 50 "$2: 50 parallel requests all answer 200"
	_started=$(loggrep 'worker [0-9]+ pid [0-9]+ started')
	_alive=$(worker_pids | wc -l)
	if [ "$_started" -eq 2 ] && [ "$_alive" -eq 2 ] &&
	    [ "$(status /)" = 200 ]; then
		ok 0 "$2: the same 2 workers keep answering"
	else
		ok 1 "$2: the same 2 workers keep answering"
		echo "#   workers started: $_started, alive: $_alive" >&2
	fi
}

# article_form_posts PATH NAME: two tests; the article form of the Django
# and stdlib sites (the same fields) echoes a valid POST with 201 and
# answers an invalid one with 400 and the errors.
article_form_posts() {
	answers "$1" 201 'Preview: Hello from the forkd test' \
	    "$2: a valid form POST is echoed (201)" \
	    -d title=Hello+from+the+forkd+test -d author=3 -d tags=1 -d tags=2 \
	    -d summary=Short -d body=Some+text
	answers "$1" 400 'errorlist' \
	    "$2: an invalid form POST answers 400 with the errors" \
	    -d title=x -d author=9999
}

# no_sqlite_across_fork NAME: one test; the zygote holds no SQLite file
# open, the workers that served (persistent connections) their own.
no_sqlite_across_fork() {
	_zyg=$(sed -n 's/.*zygote pid \([0-9]*\) ready.*/\1/p' "$LOG" | tail -n 1)
	_zfds=$(sqlite_fds "$_zyg")
	_wfds=0
	for _p in $(worker_pids); do
		_wfds=$((_wfds + $(sqlite_fds "$_p")))
	done
	if [ -n "$_zyg" ] && [ "$_zfds" -eq 0 ] && [ "$_wfds" -ge 1 ]; then
		ok 0 "$1: the zygote holds no SQLite file open, the workers their own"
	else
		ok 1 "$1: the zygote holds no SQLite file open, the workers their own"
		echo "#   zygote $_zyg: $_zfds open, workers: $_wfds open" >&2
	fi
}
sqlite_fds() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c '\.sqlite3$'; }

# --- Flask ------------------------------------------------------------

flask_expect() {
	case $1 in
	/api/items/*) echo '"id": ?7,' ;;
	/api/items*) echo '"items": ?\[' ;;
	/health) echo '"status": ?"ok"' ;;
	/static/*.css) echo 'font:' ;;
	/items/new) echo '<form method="post"' ;;
	/search*) echo 'results? for' ;;
	/items/[0-9]*) echo '<dt>SKU</dt>' ;;
	*) echo '<title>.*forkd shop</title>' ;;
	esac
}

# Werkzeug 2.2 imports on 3.14 but fails building the first route (it
# uses the removed ast.Str): the example's own import tells.
if ! (cd "$FLASK" && importable app); then
	skip_n $N_FLASK "the Flask example does not import on Python $PYVER: $WHY"
else
	start_forkd --app app:app --chdir "$FLASK" -w 2
	ok $? "flask: forkd starts 2 workers on examples/flask"
	every_url "$FLASK" flask_expect flask
	answers /no/such/page 404 'Page not found' "flask: an unknown path gets the 404 page"
	answers /items/new 201 'Valid item: <strong>Test lamp</strong> in Garden at .*12\.50' \
	    "flask: a valid form POST is echoed (201)" \
	    -d name=Test+lamp -d category=Garden -d price=12.5 -d tags=eco,new
	answers /items/new 400 'A name is required' \
	    "flask: an invalid form POST answers 400 with the errors" \
	    -d name= -d category=Nope -d price=abc
	after_load "$FLASK" flask
	stop_forkd TERM
	is "$STATUS" 0 "flask: SIGTERM stops forkd with exit 0"
fi

# --- Django -----------------------------------------------------------

django_expect() {
	case $1 in
	/api/articles/[0-9]*) echo '"id": ?42,.*"body":' ;;
	/api/articles/*) echo '"results": ?\[' ;;
	/health/) echo '"database": ?true' ;;
	/admin/login/) echo 'csrfmiddlewaretoken' ;;
	/articles/new/) echo 'name="title"' ;;
	/search/*) echo 'results? for' ;;
	/articles/?*/) echo 'min read' ;;
	/authors/?*/) echo 'Writing here since' ;;
	*) echo '<title>.*forkd news</title>' ;;
	esac
}

# django.core.handlers.wsgi pulls in django.http, which needs the cgi
# module 3.13 removed.
if ! importable django.core.handlers.wsgi; then
	skip_n $N_DJANGO "Django does not import on Python $PYVER: $WHY"
else
	start_forkd --app site_project.wsgi:application --chdir "$DJANGO" -w 2
	ok $? "django: forkd starts 2 workers on examples/django"
	n=$(ls "$FORKD_EXAMPLE_DB"/*.sqlite3 2>/dev/null | wc -l)
	is "$n" 1 "django: the app created its SQLite file in \$FORKD_EXAMPLE_DB"
	every_url "$DJANGO" django_expect django
	answers /no/such/page/ 404 'Page not found' "django: an unknown path gets the 404 page"
	article_form_posts /articles/new/ django
	after_load "$DJANGO" django
	no_sqlite_across_fork django
	stop_forkd TERM
	is "$STATUS" 0 "django: SIGTERM stops forkd with exit 0"
fi

# --- stdlib -----------------------------------------------------------

stdlib_expect() {
	case $1 in
	/api/articles/[0-9]*) echo '"id": ?42,.*"body":' ;;
	/api/products*) echo '"results": ?\[' ;;
	/health/) echo '"database": ?true' ;;
	/feed.xml) echo '<feed xmlns="http://www.w3.org/2005/Atom"' ;;
	/static/*.css) echo 'font:' ;;
	/journal/new/) echo 'name="title"' ;;
	/journal/) echo '<h1>Journal</h1>' ;;
	/journal/[0-9]*/[0-9]*/) echo 'class="calendar"' ;;
	/journal/?*/) echo 'min read' ;;
	/search/*) echo 'results? for' ;;
	/cart/) echo 'Your cart' ;;
	/products/[0-9]*/) echo 'Article number' ;;
	/authors/?*/) echo 'Writing here since' ;;
	/tags/?*/) echo 'Tagged ' ;;
	*) echo '<title>.*Workbench &amp; Quill</title>' ;;
	esac
}

# Nothing to skip: the stdlib site imports on every Python.
start_forkd --app app:app --chdir "$STDLIB" -w 2
ok $? "stdlib: forkd starts 2 workers on examples/stdlib"
n=$(ls "$FORKD_EXAMPLE_DB"/forkd-example-stdlib-*.sqlite3 2>/dev/null | wc -l)
is "$n" 1 "stdlib: the app created its SQLite file in \$FORKD_EXAMPLE_DB"
every_url "$STDLIB" stdlib_expect stdlib
answers /no/such/page/ 404 'Page not found' "stdlib: an unknown path gets the 404 page"
answers /api/no/such/thing/ 404 '"status": ?404' "stdlib: an unknown API path gets problem+json"
article_form_posts /journal/new/ stdlib
# The session round trip: a POST fills the cart and answers 303 with the
# signed cookie; the cart page shows the product with that cookie, and
# an empty cart when the signature is broken.
head=$(curl -s -D - -o /dev/null --max-time 10 -d product=42 -d quantity=2 "$URL/cart/")
cookie=$(printf '%s\n' "$head" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(wq_session=[^;]*\).*/\1/p')
like "$(printf '%s\n' "$head" | head -n 1) $cookie" '^HTTP/1.1 303 .* wq_session=.+' \
    "stdlib: a cart POST answers 303 with a session cookie"
answers /cart/ 200 'name="product" value="42"><input type="number" name="quantity" value="2"' \
    "stdlib: the cart page reads the cart back from the cookie" -H "Cookie: $cookie"
answers /cart/ 200 'Your cart is empty' \
    "stdlib: a cookie with a broken signature gives an empty cart" -H "Cookie: ${cookie}x"
after_load "$STDLIB" stdlib
no_sqlite_across_fork stdlib
stop_forkd TERM
is "$STATUS" 0 "stdlib: SIGTERM stops forkd with exit 0"
done_testing
