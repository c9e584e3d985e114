"""A real S3-speaking server on 127.0.0.1 (moto in server mode) for lakes on object
storage, and the AWS variables that point the pipeline at it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ACCESS_KEY, SECRET_KEY, REGION = "newswire-test", "newswire-test-secret", "us-east-1"


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 on a free port of 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer  # imported only by tests that use S3

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def aws_env(endpoint: str) -> dict[str, str]:
    """The standard AWS variables for the test server (and nothing from ~/.aws)."""
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true"}


def new_bucket(endpoint: str) -> str:
    """A fresh, empty bucket; returns its name."""
    import s3fs

    name = f"lake-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(endpoint_url=endpoint, key=ACCESS_KEY, secret=SECRET_KEY,
                      skip_instance_cache=True).mkdir(name)
    return name
