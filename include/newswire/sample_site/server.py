"""A small HTTP server for the sample source (stdlib only), bound to 127.0.0.1."""

from __future__ import annotations

import threading
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from newswire.sample_site.site import Resource, build_site


def make_handler(resources: dict[str, Resource]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "newswire-sample/1"

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            resource = resources.get(path)
            if resource is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == resource.etag:
                self.send_response(304)
                self.send_header("ETag", resource.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            self.send_header("ETag", resource.etag)
            if resource.last_modified:
                self.send_header("Last-Modified", format_datetime(resource.last_modified,
                                                                  usegmt=False))
            self.end_headers()
            self.wfile.write(resource.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the pipeline's fetch_log records every request

    return Handler


def make_server(host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler({}))
    base = f"http://{host}:{server.server_address[1]}"
    server.RequestHandlerClass = make_handler(build_site(base))
    server.daemon_threads = True
    return server


def start_in_thread(host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    server = make_server(host, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}"


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    server = make_server(host, port)
    print(f"sample source on http://{host}:{server.server_address[1]}/ (Ctrl-C stops)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
