#!/bin/sh
# nginx in front (doc/deploy.md): Debian's nginx proxies to forkd on a
# unix socket, with upstream keep-alive, and the hello and stdlib
# examples answer through it; a unix-socket peer is trusted for
# X-Forwarded-For.
. "$(dirname "$0")/lib.sh"
newest_only "the proxy path"
NGINX=$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
[ -n "$NGINX" ] || skip_all "nginx is missing (Debian's nginx-light)"
plan 6

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/ngx"
chmod 755 "$T"
cat > "$T/ngx/nginx.conf" <<EOF2
worker_processes 1;
daemon off;
$([ "$(id -u)" = 0 ] && echo "user root;")
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log error;
events { worker_connections 64; }
http {
    access_log off;
    upstream forkd {
        server unix:$T/forkd.web;
        keepalive 8;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://forkd;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF2
"$NGINX" -c "$T/ngx/nginx.conf" -p "$T/ngx" -e "$T/ngx/error.log" > "$T/ngx/out" 2>&1 &
ngx=$!
trap 'kill $ngx 2>/dev/null; _cleanup' EXIT

start_forkd --app app:app --chdir "$APPDIR" -w 2 -b "unix:$T/forkd.web"
ok $? "forkd listens on a unix socket"
like "$(curl -s --max-time 10 "http://127.0.0.1:$port/")" "Hello" \
    "the hello example answers through nginx"
like "$(curl -s --max-time 10 -H 'X-Forwarded-For: 203.0.113.7' "http://127.0.0.1:$port/env")" \
    '"REMOTE_ADDR": "127.0.0.1"' \
    "nginx's X-Forwarded-For is believed (a unix-socket peer): REMOTE_ADDR is the client nginx saw"
codes=$(for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$port/"; done)
is "$codes" "200 200 200 200 200 200 200 200 200 200 " "ten requests over nginx's kept connections"
stop_forkd

start_forkd --app app:app --chdir "$TOP/examples/stdlib" -w 1 -b "unix:$T/forkd.web"
like "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/")" "^200$" \
    "the stdlib example answers through nginx"
stop_forkd
is "$(cat "$T/ngx/error.log" 2>/dev/null)" "" "nginx logged no error"
done_testing
