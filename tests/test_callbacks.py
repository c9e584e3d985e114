"""Failure callbacks: a clear log line, and the same line posted to the webhook an
Airflow connection names (a real HTTP server on 127.0.0.1 stands in for Slack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import REPO

CALL = r"""
import sys
from types import SimpleNamespace
sys.path.insert(0, "include")
from newswire_airflow.callbacks import notify_failure
ti = SimpleNamespace(dag_id="newswire_daily", task_id="fetch", map_index=1,
                     run_id="scheduled__2017-12-05T00:00:00+00:00", try_number=3)
notify_failure({"task_instance": ti, "exception": RuntimeError("sample source is down")})
"""


def test_failure_is_logged_and_posted_to_the_alerts_connection() -> None:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    try:
        env = dict(os.environ, AIRFLOW_CONN_NEWSWIRE_ALERTS=url)
        result = subprocess.run([sys.executable, "-c", CALL], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    line = ("newswire FAILED dag=newswire_daily task=fetch[1] "
            "run=scheduled__2017-12-05T00:00:00+00:00 try=3: RuntimeError: sample source "
            "is down")
    assert result.returncode == 0, result.stderr[-2000:]
    assert line in result.stderr
    assert received == [{"text": line}]


def test_without_a_connection_the_log_line_is_the_alert() -> None:
    env = {k: v for k, v in os.environ.items() if k != "AIRFLOW_CONN_NEWSWIRE_ALERTS"}
    result = subprocess.run([sys.executable, "-c", CALL], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "newswire FAILED dag=newswire_daily task=fetch[1]" in result.stderr
