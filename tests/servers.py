"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for fetch tests."""

from __future__ import annotations

import gzip
import socket
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


def refused_url() -> str:
    """http://127.0.0.1:PORT on a port nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


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

# A feed of hostile pages next to good ones (tests/test_hardening.py): every hostile one
# must end as a recorded failure (or a best-effort article), the good ones must land.
HOSTILE_GOOD = ["/ok", "/good/1", "/good/2", "/good/3"]
HOSTILE_FETCH_FAILS = ["/huge-declared", "/huge-streamed", "/gzip-bomb", "/redirect-loop",
                       "/redirect-admin-port"]
HOSTILE_BEST_EFFORT = ["/invalid-bytes", "/mixed-encoding"]
HOSTILE_CLEAN_FAILS = ["/deep-nesting"]
# Links a feed may carry that must never be requested at all.
HOSTILE_NEVER_REQUESTED = ["file:///etc/passwd", "http://127.0.0.1:5432/",
                           "http://169.254.169.254/latest/meta-data/", "http://localhost/"]
HUGE_BYTES = 50_000_000

MIXED_UTF8_PART = "Dışişleri Bakanı Çavuşoğlu güncel gelişmeleri değerlendirdi."
MIXED_CP1254_PART = "Türkçe öğrenciler çalışmalarını ığdır şehrinde sürdürdü."


def mixed_encoding_page() -> bytes:
    """Declared UTF-8, but one paragraph is windows-1254 (a template glued to old copy)."""
    good = (MIXED_UTF8_PART + " ") * 4
    legacy = (MIXED_CP1254_PART + " ") * 4
    return (b"<!DOCTYPE html><html lang='tr'><head><meta charset='utf-8'><title>Karma</title>"
            b"<meta property='article:published_time' content='2017-12-05T10:00:00+03:00'>"
            b"</head><body><article><h1>Karma</h1><p>" + good.encode("utf-8") + b"</p><p>"
            + legacy.encode("cp1254") + b"</p><p>" + good.encode("utf-8")
            + b"</p></article></body></html>")


def invalid_bytes_page() -> bytes:
    """Declared UTF-8, with byte sequences that are UTF-8 in no encoding's eyes."""
    junk = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\x00\xed\xa0\x80"
    return article("Geçersiz baytlar").replace(b"<p>", b"<p>" + junk, 1)


def deep_nesting_page() -> bytes:
    return (b"<html><body>" + b"<div>" * 100_000 + b"<p>" + b"metin " * 100 + b"</p>"
            + b"</div>" * 100_000 + b"</body></html>")


def hostile_sitemap(base: str) -> bytes:
    """External entities (a local file, a URL on this very server) and a parameter entity:
    none may be resolved or fetched."""
    return (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [\n'
            f'<!ENTITY passwd SYSTEM "file:///etc/passwd">\n'
            f'<!ENTITY probe SYSTEM "{base}/xxe-probe">\n'
            f'<!ENTITY % remote SYSTEM "{base}/xxe-probe-dtd"> %remote;\n]>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{base}/good/sitemap&passwd;&probe;</loc>"
            f"<lastmod>2017-12-05T11:00:00Z</lastmod></url>"
            f"<url><loc>{base}/good/3</loc><lastmod>2017-12-05T11:00:00Z</lastmod></url>"
            f"</urlset>").encode()


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

    def _stream_huge(self, *, chunked: bool) -> None:
        """50 MB of HTML, written as it goes (with or without a Content-Length): the
        client must stop reading at its cap; a client that hangs up ends the stream."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        chunk = b"<p>" + b"z" * 65_529 + b"</p>"
        try:
            for _ in range(HUGE_BYTES // len(chunk)):
                if chunked:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    self.wfile.write(chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client stopped reading: that is the point
        self.close_connection = True

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
        elif path == "/hostile/feed.xml":
            paths = HOSTILE_GOOD + HOSTILE_FETCH_FAILS + HOSTILE_BEST_EFFORT + HOSTILE_CLEAN_FAILS
            body = feed(base, paths)
            foreign = "".join(
                f"<item><title>x</title><link>{link}</link>"
                "<pubDate>Tue, 05 Dec 2017 09:00:00 +0000</pubDate></item>"
                for link in HOSTILE_NEVER_REQUESTED)
            self._send(200, body.replace(b"</channel>", foreign.encode() + b"</channel>"),
                       "application/rss+xml")
        elif path == "/hostile/sitemap.xml":
            self._send(200, hostile_sitemap(base), "application/xml")
        elif path.startswith("/good/"):
            self._send(200, article(f"iyi {path.rsplit('/', 1)[-1]}"))
        elif path == "/huge-declared":
            self._stream_huge(chunked=False)
        elif path == "/huge-streamed":
            self._stream_huge(chunked=True)
        elif path == "/invalid-bytes":
            self._send(200, invalid_bytes_page())
        elif path == "/mixed-encoding":
            self._send(200, mixed_encoding_page())
        elif path == "/deep-nesting":
            self._send(200, deep_nesting_page())
        elif path == "/redirect-bad-ipv6":
            self._send(302, headers={"Location": "http://[::1"})
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
