"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for fetch tests."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

ARTICLE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}">
<title>{title}</title>
<meta property="article:published_time" content="2017-12-05T10:00:00+03:00">
</head><body><article><h1>{title}</h1>
<p>{body}</p>
<p>{body}</p>
<p>{body}</p>
</article></body></html>"""

TR_BODY = ("Dışişleri Bakanı Çavuşoğlu, Ankara'da düzenlenen toplantıda güncel gelişmeleri "
           "değerlendirdi ve işbirliğinin güçlendirileceğini söyledi. Görüşmede ekonomik "
           "ilişkiler, ticaret hacmi ve bölgesel güvenlik ele alındı.")


def article(title: str, charset: str = "utf-8", lang: str = "tr") -> bytes:
    return ARTICLE.format(title=title, body=TR_BODY, charset=charset,
                          lang=lang).encode(charset)


def feed(base: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{p}</title><link>{base}{p}</link>"
        "<pubDate>Tue, 05 Dec 2017 09:00:00 +0000</pubDate></item>" for p in paths)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>bad</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


GZIP_BOMB = gzip.compress(b"\0" * 20_000_000)

FEED_PATHS = ["/ok", "/retry-429", "/flaky-503", "/always-503", "/slow", "/truncated",
              "/oversize", "/oversize-chunked", "/redirect-foreign", "/redirect-local",
              "/private/secret", "/cp1254", "/missing"]


class MisbehavingHandler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter] = Counter()
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        with self.lock:
            self.hits[path] += 1
            hit = self.hits[path]
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path == "/feed.xml":
            self._send(200, feed(base, FEED_PATHS), "application/rss+xml")
        elif path == "/ok":
            self._send(200, article("ok"), headers={"ETag": '"v1"'})
        elif path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, headers={"ETag": '"v1"'})
            else:
                self._send(200, article("etag"), headers={"ETag": '"v1"'})
        elif path == "/retry-429":
            if hit % 2 == 1:
                self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
            else:
                self._send(200, article("after 429"))
        elif path == "/flaky-503":
            if hit % 2 == 1:
                self._send(503, b"busy", "text/plain")
            else:
                self._send(200, article("after 503"))
        elif path == "/always-503":
            self._send(503, b"down", "text/plain", {"Retry-After": "0"})
        elif path == "/slow":
            time.sleep(2.0)
            self._send(200, article("slow"))
        elif path == "/truncated":
            body = article("truncated")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body) * 2))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
        elif path == "/oversize":
            self._send(200, b"<html><body>" + b"x" * 300_000 + b"</body></html>")
        elif path == "/oversize-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(40):
                chunk = b"y" * 10_000
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/gzip-bomb":
            # 20 MB of zeros, about 20 KB on the wire.
            self._send(200, GZIP_BOMB, "text/html", {"Content-Encoding": "gzip"})
        elif path == "/redirect-admin-port":
            self._send(302, headers={"Location": "http://127.0.0.1:5432/"})
        elif path == "/redirect-foreign":
            self._send(302, headers={"Location": "http://foreign.invalid/landing"})
        elif path == "/redirect-local":
            self._send(301, headers={"Location": "/ok"})
        elif path == "/redirect-loop":
            self._send(302, headers={"Location": "/redirect-loop"})
        elif path == "/private/secret":
            self._send(200, article("secret"))
        elif path == "/cp1254":
            self._send(200, article("Türkçe sayfa: ığüşöç", charset="windows-1254"),
                       "text/html; charset=windows-1254")
        else:
            self._send(404, b"not found", "text/plain")


def start_misbehaving_server() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), MisbehavingHandler)
    server.daemon_threads = True
    # Clients that time out close the socket on purpose: no tracebacks for that.
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
