#!/bin/sh
# Code packing: the code objects the last warmup round still wrote are
# moved into a region of their own; closures, generators, coroutines,
# nested functions, methods, decorated functions and tracebacks behave
# the same with packing on and off, closures made in a worker run the
# packed code, and packed code keeps its specialized instructions.
. "$(dirname "$0")/lib.sh"
plan 14

mkdir "$T/app"
cat > "$T/app/packed.py" <<'PY'
import dis, functools, sys, traceback

VALUES = [1, "s", 2.5, [1], (1,)]       # every site below sees them all

class Conf:
    def __init__(self):
        self.scale = 3
CONF = Conf()

def plain(v):
    return v + v

def mixed(v):
    # A monomorphic part that specializes and a polymorphic part that
    # keeps the code written.
    s = CONF.scale
    return (v + v, s)

def outer(k):
    def inner(v):
        return (v + v, k)
    return inner

def nested(v):
    def helper(w):
        return w + w
    return helper(v)

def gen(vals):
    for v in vals:
        yield v + v

async def coro(v):
    return v + v

def run_coro(v):
    c = coro(v)
    try:
        c.send(None)
    except StopIteration as e:
        return e.value

class K:
    def meth(self, v):
        return v + v

def deco(f):
    @functools.wraps(f)
    def wrapper(*a):
        return f(*a)
    return wrapper

@deco
def decorated(v):
    return v + v

def boom(v):
    return v + None                     # a TypeError

def everything():
    out = []
    for v in VALUES:
        out.append((plain(v), mixed(v), outer(2)(v), nested(v),
                    run_coro(v), K().meth(v), decorated(v)))
    out.append(list(gen(VALUES)))
    return out

def where():
    fs = {"plain": plain, "mixed": mixed, "closure": outer(2), "boom": boom,
          "nested": nested, "gen": gen, "coro": coro,
          "meth": K.meth, "decorated": decorated.__wrapped__}
    return " ".join("%s=%#x" % (k, id(f.__code__)) for k, f in sorted(fs.items()))

def specialized(f):
    names = dis._all_opname
    base = {op for op in dis.opmap}
    b = f.__code__._co_code_adaptive
    return sorted({names[b[i]] for i in range(0, len(b), 2)
                   if names[b[i]].startswith(("LOAD_ATTR_", "LOAD_GLOBAL_"))})

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/run":
        body = repr(everything())
    elif path == "/tb":
        try:
            boom(1)
        except TypeError:
            fs = traceback.extract_tb(sys.exc_info()[2])[-1]
            body = "%s:%d:%s" % (fs.filename.rsplit("/", 1)[-1], fs.lineno, fs.name)
    elif path == "/where":
        body = where()
    elif path == "/spec":
        body = " ".join(specialized(mixed))
    else:
        everything()
        body = "ok"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
PY
printf 'GET /\nGET /tb\n' > "$T/warm.txt"

# serve FLAGS...: starts forkd with the app, reads every endpoint.
serve() {
	start_forkd --app packed:app --chdir "$T/app" -w 1 \
	    --warmup "$T/warm.txt" --warmup-rounds 3 "$@" || return 1
	RUN=$(get /run)
	TB=$(get /tb)
	WHERE=$(get /where)
	SPEC=$(get /spec)
	cp "$LOG" "$T/log.$1$2"
	stop_forkd TERM
}

serve --pack-code off
off_run=$RUN off_tb=$TB off_spec=$SPEC
serve --pack-code on
on_log=$(cat "$T/log.--pack-codeon")
echo "# $(grep -o 'pack-code: .*' "$T/log.--pack-codeon")"
is "$STATUS" 0 "forkd with --pack-code on serves and stops cleanly"
like "$on_log" "pack-code: [1-9][0-9]* of [0-9]+ code objects still written( or called)? in the last warmup round; [1-9][0-9]* moved" \
    "the code the last round wrote is moved, and logged"
is "$RUN" "$off_run" "closures, generators, coroutines, nested functions, methods and decorators answer the same packed and unpacked"
like "$RUN" "^\[\(2, \(2, 3\), \(2, 2\), 2, 2, 2, 2\)" "and the answers are right"
line=$(grep -n 'return v + None' "$T/app/packed.py" | cut -d: -f1)
is "$TB" "packed.py:$line:boom" "a traceback from packed code names the right file, line and function"
is "$TB" "$off_tb" "the same traceback as unpacked"

# Which code objects lie in the packed region (from the log).
base=$(printf '%d' "$(echo "$on_log" | sed -n 's/.*region [0-9.]* KiB at \(0x[0-9a-f]*\).*/\1/p')")
kib=$(echo "$on_log" | sed -n 's/.*region \([0-9]*\)\.[0-9] KiB at.*/\1/p')
end=$((base + (kib + 1) * 1024))
inside() { # NAME: 0 if NAME's code is in the region
	a=$(printf '%d' "$(echo "$WHERE" | tr ' ' '\n' | sed -n "s/^$1=//p")")
	[ "$a" -ge "$base" ] && [ "$a" -lt "$end" ]
}
echo "# region [$base, $end): $WHERE"
# 3.11 backs a failed specialization off longer: boom is not seen.
minor=$("$PY" -c 'import sys; print(sys.version_info[1])')
kinds="plain closure nested gen coro meth decorated"
[ "$minor" -ge 12 ] && kinds="$kinds boom"
for k in $kinds; do
	inside $k
	r=$?
	[ $r -eq 0 ] || break
done
ok $r "functions, closures made in the worker, nested functions, generators, coroutines, methods, decorated and raising functions run packed code (3.11: boom aside)"
inside mixed
ok $? "the mixed function's code was packed"
like "$SPEC" "LOAD_ATTR_INSTANCE_VALUE" "packed code keeps its specialized attribute load ($SPEC)"
like "$SPEC" "LOAD_GLOBAL_MODULE" "and its specialized global load"
if [ "$minor" -ge 12 ]; then
	is "$SPEC" "$off_spec" "the same specializations as unpacked"
else
	# 3.11: the probe round runs under a profile function, which runs
	# instructions unspecialized; the worker specializes them later.
	ok 0 "# SKIP 3.11's probe runs traced: specializations may differ"
fi

serve --pack-code on --warmup-rounds 1
like "$(cat "$T/log.--pack-codeon")" "pack-code: nothing to pack: .*--warmup-rounds is 1" \
    "one warmup round: nothing to pack, and it says why"
is "$RUN" "$off_run" "and the app answers the same"

start_forkd --app packed:app --chdir "$T/app" -w 1 --pack-code on
like "$(cat "$LOG")" "pack-code: nothing to pack: .*no warmup" "no warmup: nothing to pack, and it says why"
stop_forkd TERM
done_testing
