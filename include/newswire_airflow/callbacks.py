"""Failure notification: one clear line in the task log, and optionally a message to
Slack (or any webhook) and e-mail, configured through Airflow connections, not the repo.

- Connection ``newswire_alerts`` (type http): its host (and password, if the webhook
  carries a token) is a Slack incoming-webhook URL; a JSON ``{"text": ...}`` is posted.
- Environment ``NEWSWIRE_ALERT_EMAILS`` (comma separated): Airflow's configured
  e-mail backend sends the same line.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request

log = logging.getLogger("newswire.alerts")
ALERT_CONNECTION = "newswire_alerts"


def failure_line(context: dict) -> str:
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    run_id = getattr(ti, "run_id", context.get("run_id", "?"))
    try_number = getattr(ti, "try_number", "?")
    error = context.get("exception")
    where = f"{task_id}[{map_index}]" if map_index not in (None, -1) else task_id
    return (f"newswire FAILED dag={dag_id} task={where} run={run_id} try={try_number}: "
            f"{type(error).__name__ if error else 'error'}: {error}")


def notify_failure(context: dict) -> None:
    line = failure_line(context)
    log.error(line)
    _post_webhook(line)
    _send_email(line)


def _post_webhook(line: str) -> None:
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(ALERT_CONNECTION)
    except Exception:  # no connection configured: the log line is the alert
        return
    url = conn.host if conn.host and conn.host.startswith("http") else conn.get_uri()
    request = urllib.request.Request(url, data=json.dumps({"text": line}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError as exc:
        log.warning("could not post the alert to %s: %s", ALERT_CONNECTION, exc)


def _send_email(line: str) -> None:
    to = [a.strip() for a in os.environ.get("NEWSWIRE_ALERT_EMAILS", "").split(",") if a.strip()]
    if not to:
        return
    try:
        from airflow.utils.email import send_email

        send_email(to=to, subject=line[:120], html_content=f"<pre>{line}</pre>")
    except Exception as exc:  # e-mail is best effort; the log line already went out
        log.warning("could not e-mail the alert: %s", exc)
