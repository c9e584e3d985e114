"""The NLP pool's fork server: started by the process that will own the pool, loading
the stanza models once (``newswire.stages.nlp_preload``) while that process goes on.

Light on purpose (the standard library only): ``python -m newswire run`` starts it before
it imports the pipeline (~1.3 s of imports and config loading, measured), so the models
load meanwhile; :class:`~newswire.stages.shards.ShardRunner` finds it running.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext

# The NLP pool's fork server loads the models named here (see nlp_preload.py).
NLP_PRELOAD_MODULE = "newswire.stages.nlp_preload"
PRELOAD_LANGS = "NEWSWIRE_PRELOAD_LANGS"
PRELOAD_THREADS = "NEWSWIRE_PRELOAD_THREADS"
PRELOAD_PARENT = "NEWSWIRE_PRELOAD_PARENT"


def nlp_context(langs: tuple[str, ...], threads: int) -> BaseContext:
    """How the NLP pool's processes start: forks of a fork server that loaded the models
    of ``langs`` once (``newswire.stages.nlp_preload``), started here and now, so it
    loads them while this process goes on. A fork server is a fresh interpreter, never
    a fork of a process that may hold threads (torch's, an HTTP server's in tests) or
    open files; its forks share the models' memory until they write to it, and each
    saves the ~3.5 s of CPU a fresh process spends importing torch and loading them.

    The fork server is one per process: if one is already running (started earlier for
    the same run, or by a cleaning pool in a process with threads), this returns its
    context and its forks load whatever models it lacks in the pool's initializer, as
    spawned processes do where there is no fork server."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # no fork server on this platform
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver

    # What to load travels in the environment the fork server is started with; this
    # process's own environment is left as it was (its later children are not ours).
    saved = {name: os.environ.get(name)
             for name in (PRELOAD_LANGS, PRELOAD_THREADS, PRELOAD_PARENT)}
    os.environ[PRELOAD_LANGS] = ",".join(langs)
    os.environ[PRELOAD_THREADS] = str(threads)
    os.environ[PRELOAD_PARENT] = str(os.getpid())
    context.set_forkserver_preload([NLP_PRELOAD_MODULE])
    try:
        forkserver.ensure_running()  # starts it (its preload runs on, not waited for)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return context
