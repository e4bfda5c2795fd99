"""A tiny HTTP client for forkd's black-box tests (stdlib only).

  client.py PORT keepalive PATH N   N requests on one connection; prints
                                    "status local_port body" per request
  client.py PORT raw DATA           sends DATA (Python escapes: \\r \\n),
                                    prints everything read until close or
                                    a 3 s silence
"""
import http.client
import socket
import sys


def keepalive(port, path, n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(n):
        c.request("GET", path)
        r = c.getresponse()
        body = r.read().decode().strip()
        print(r.status, c.sock.getsockname()[1], body)


def raw(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(data.encode("latin-1").decode("unicode_escape")
              .encode("latin-1"))
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    sys.stdout.write(out.decode("latin-1"))


def main():
    port, cmd = int(sys.argv[1]), sys.argv[2]
    if cmd == "keepalive":
        keepalive(port, sys.argv[3], int(sys.argv[4]))
    elif cmd == "raw":
        raw(port, sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)


main()
