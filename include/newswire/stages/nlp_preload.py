"""Imported by the NLP pool's fork server (``multiprocessing``'s preload list): it loads
the stanza models once, so every process of :class:`~newswire.stages.shards.ShardRunner`'s
pool is a fork that starts with them in memory, rather than a fresh interpreter that
imports torch and loads them itself (~3.5 s of CPU per process, measured).

What to load comes from the environment the fork server inherits (the pool's owner sets
it just before starting the server): ``NEWSWIRE_PRELOAD_LANGS`` (comma-separated) and
``NEWSWIRE_PRELOAD_THREADS`` (torch threads, set before any torch work: a fork of a
process whose OpenMP team has started inherits it broken). A failure here is never the
fork server's: the pool's processes then load the models themselves, as before.
"""

from __future__ import annotations

import logging
import os

# Seconds each language's models took to load here (empty where nothing was preloaded):
# the pool's processes inherit it, which is how a test tells a preloaded fork.
LOADED: dict[str, float] = {}


def _preload() -> None:
    langs: list[str] = []
    try:
        from newswire.stages.shards import PRELOAD_LANGS, PRELOAD_THREADS, preload_models

        langs = [lang for lang in os.environ.get(PRELOAD_LANGS, "").split(",") if lang]
        if langs:
            LOADED.update(preload_models(langs, int(os.environ.get(PRELOAD_THREADS) or 1)))
    except Exception as exc:  # any failure: each pool process loads its models itself
        logging.getLogger("newswire").warning(
            "NLP fork server could not preload %s (%s: %s); each NLP process loads its "
            "models itself", langs, type(exc).__name__, exc)


_preload()
