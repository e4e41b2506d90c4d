#!/usr/bin/python3
"""A misbehaving HTTP server for the HTTP layer and auth tests (standard library only).

  http_test_server.py --port-file FILE [--user USER:PASS]

Binds 127.0.0.1 on a free port and writes the port to FILE. Every request is appended as a JSON
line (method, path, headers) to the in-memory log served at /_log (and cleared by /_reset).
Bodies are deterministic: byte i of a body of N bytes is (i * 7 + i // 251) % 256.

  /data/N                 N bytes; honours Range (206)
  /norange/N              N bytes; ignores Range (always 200)
  /flaky/KEY/F/N          the first F requests for KEY answer 503, then like /data/N
  /cut/KEY/C/A/N          the first C requests for KEY close the connection after A body bytes
  /cutnorange/KEY/C/A/N   like /cut, and Range is ignored (every answer is a 200)
  /stall/N                sends 16 bytes of N, then stalls for 60 s
  /status/CODE            an empty answer with that status
  /redirect/CODE?to=URL   a redirect to URL (relative or absolute)
  /protected/...          needs "Authorization: Bearer good-token" or Basic USER:PASS, else 401
                          with a Bearer challenge (realm /token on this server); then like
                          the rest of the path (/protected/redirect/307?to=... for the leak test)
  /token                  the token service: Basic USER:PASS when --user was given, else anyone;
                          {"token": "good-token", "expires_in": 300}; ?fail=1 answers 401
  /echo                   a JSON object of the request's headers
  /v2/...                 a tiny registry behind the same Bearer auth: /v2/ pings (401),
                          /v2/REPO/blobs/sha256:X redirects to /data/N on the port set by
                          /_cdn?port=PORT&size=N (registries redirect blobs to a CDN or a bucket)
"""

import argparse
import base64
import json
import os
import sys
import threading
import time
import http.server
import urllib.parse

LOCK = threading.Lock()
LOG = []
COUNTS = {}
USER = None
CDN = {"port": None, "size": "1000"}


def body_bytes(start, end):
    return bytes(((i * 7 + i // 251) % 256) for i in range(start, end))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "dabba-http-test"

    def log_message(self, fmt, *args):
        pass

    def send_plain(self, status, body=b"", headers=None, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def count(self, key):
        with LOCK:
            COUNTS[key] = COUNTS.get(key, 0) + 1
            return COUNTS[key]

    def serve_data(self, n, honour_range=True, cut_after=None):
        start = 0
        rng = self.headers.get("Range")
        status = 200
        if honour_range and rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= n:
                return self.send_plain(416, b"range not satisfiable")
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n - start))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, n - 1, n))
        self.end_headers()
        if self.command == "HEAD":
            return
        end = n if cut_after is None else min(n, start + cut_after)
        pos = start
        while pos < end:
            chunk = min(65536, end - pos)
            self.wfile.write(body_bytes(pos, pos + chunk))
            pos += chunk
        if cut_after is not None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        if auth == "Bearer good-token":
            return True
        if USER and auth == "Basic " + base64.b64encode(USER.encode()).decode():
            return True
        return False

    def challenge(self, scope):
        realm = "http://127.0.0.1:%d/token" % self.server.server_port
        value = 'Bearer realm="%s",service="dabba-test",scope="%s"' % (realm, scope)
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})
        self.send_plain(401, body.encode(), {"WWW-Authenticate": value}, "application/json")

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if not url.path.startswith("/_"):  # the control routes are not logged
            with LOCK:
                LOG.append({"method": self.command, "path": self.path,
                            "headers": dict(self.headers.items())})
        if not parts:
            return self.send_plain(404)
        head = parts[0]
        if head == "_log":
            with LOCK:
                return self.send_plain(200, json.dumps(LOG).encode(), content_type="application/json")
        if head == "_reset":
            with LOCK:
                LOG.clear()
                COUNTS.clear()
            return self.send_plain(200)
        if head == "_cdn":
            CDN["port"] = query["port"][0]
            CDN["size"] = query.get("size", ["1000"])[0]
            return self.send_plain(200)
        if head == "data":
            return self.serve_data(int(parts[1]))
        if head == "norange":
            return self.serve_data(int(parts[1]), honour_range=False)
        if head == "flaky":
            if self.count("flaky/" + parts[1]) <= int(parts[2]):
                return self.send_plain(503, b"try again")
            return self.serve_data(int(parts[3]))
        if head == "cut":
            if self.count("cut/" + parts[1]) <= int(parts[2]):
                return self.serve_data(int(parts[4]), cut_after=int(parts[3]))
            return self.serve_data(int(parts[4]))
        if head == "cutnorange":
            if self.count("cutnorange/" + parts[1]) <= int(parts[2]):
                return self.serve_data(int(parts[4]), honour_range=False, cut_after=int(parts[3]))
            return self.serve_data(int(parts[4]), honour_range=False)
        if head == "stall":
            n = int(parts[1])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            self.wfile.write(body_bytes(0, 16))
            self.wfile.flush()
            time.sleep(60)
            self.close_connection = True
            return
        if head == "status":
            return self.send_plain(int(parts[1]))
        if head == "redirect":
            return self.send_plain(int(parts[1]), headers={"Location": query["to"][0]})
        if head == "echo":
            return self.send_plain(200, json.dumps(dict(self.headers.items())).encode(),
                                   content_type="application/json")
        if head == "token":
            if "fail" in query:
                return self.send_plain(401, b'{"details": "incorrect username or password"}',
                                       content_type="application/json")
            if USER and self.headers.get("Authorization", "") != "Basic " + base64.b64encode(USER.encode()).decode():
                return self.send_plain(401, b'{"details": "incorrect username or password"}',
                                       content_type="application/json")
            self.count("token")
            return self.send_plain(200, json.dumps({"token": "good-token", "expires_in": 300}).encode(),
                                   content_type="application/json")
        if head == "protected":
            if not self.authorized():
                return self.challenge("repository:protected:pull")
            self.path = "/" + "/".join(parts[1:]) + ("?" + url.query if url.query else "")
            return self.route()
        if head == "v2":
            if not self.authorized():
                repo = "/".join(parts[1:-2]) if len(parts) > 3 else ""
                return self.challenge("repository:%s:pull" % repo if repo else "")
            if len(parts) == 1:
                return self.send_plain(200, b"{}", content_type="application/json")
            if len(parts) >= 4 and parts[-2] == "blobs":
                cdn = CDN["port"] or str(self.server.server_port)
                to = "http://127.0.0.1:%s/data/%s?X-Amz-Signature=secret-signature" % (cdn, CDN["size"])
                return self.send_plain(307, headers={"Location": to})
            return self.send_plain(404, b'{"errors": [{"code": "NAME_UNKNOWN"}]}')
        return self.send_plain(404)

    def do_GET(self):
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_HEAD = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    global USER
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--user")
    args = parser.parse_args()
    USER = args.user
    server = Server(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_port))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
