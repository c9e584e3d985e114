"""Imported by the NLP pool's fork server (``multiprocessing``'s preload list): it loads
the stanza models once, so every process of :class:`~newswire.stages.shards.ShardRunner`'s
pool is a fork that starts with them in memory, rather than a fresh interpreter that
imports torch and loads them itself (~3.5 s of CPU per process, measured).

What to load comes from the environment the fork server inherits (the pool's owner sets
it just before starting the server): ``NEWSWIRE_PRELOAD_LANGS`` (comma-separated) and
``NEWSWIRE_PRELOAD_THREADS`` (torch threads, set before any torch work: a fork of a
process whose OpenMP team has started inherits it broken), and ``NEWSWIRE_PRELOAD_PARENT``
(the pool's owner: when it is gone, as after a run that failed on its config, the server
leaves at once rather than loading for no one). A failure here is never the fork
server's: the pool's processes then load the models themselves, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading

# Seconds each language's models took to load here (empty where nothing was preloaded):
# the pool's processes inherit it, which is how a test tells a preloaded fork.
LOADED: dict[str, float] = {}


def _preload() -> None:
    from newswire.nlp.forkserver import PRELOAD_LANGS, PRELOAD_PARENT, PRELOAD_THREADS

    langs = [lang for lang in os.environ.get(PRELOAD_LANGS, "").split(",") if lang]
    if not langs:
        return
    loaded = threading.Event()
    watch = threading.Thread(target=_leave_with, daemon=True, name="preload-watch",
                             args=(int(os.environ.get(PRELOAD_PARENT) or 0), loaded))
    watch.start()
    try:
        from newswire.stages.shards import exit_without_teardown, preload_models

        # The server leaves once its owner is gone (the run is over): at once, without
        # the interpreter's teardown with torch loaded (0.4 s measured, more on a busy
        # box), during which it still held the owner's output open (a caller reading it
        # waited). Its forks leave by os._exit anyway.
        atexit.register(exit_without_teardown)
        LOADED.update(preload_models(langs, int(os.environ.get(PRELOAD_THREADS) or 1)))
    except Exception as exc:  # any failure: each pool process loads its models itself
        logging.getLogger("newswire").warning(
            "NLP fork server could not preload %s (%s: %s); each NLP process loads its "
            "models itself", langs, type(exc).__name__, exc)
    finally:
        loaded.set()
        watch.join()  # the server forks the pool's processes: no other thread by then


def _leave_with(parent: int, loaded: threading.Event) -> None:
    """Exit the fork server as soon as ``parent`` (the pool's owner) is gone, until the
    models are loaded. ``newswire run`` starts the server before it validates its
    config; a run that fails on it would otherwise leave the server loading for seconds,
    its output pipes held open (a caller reading them waits that long)."""
    while parent and not loaded.wait(0.1):
        if os.getppid() != parent:
            os._exit(0)


_preload()
