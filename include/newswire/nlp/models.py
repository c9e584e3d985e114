"""Stanza models: where they are, what they are (an identity stored on every NLP row),
and one pipeline per language and process.

Two layouts are understood under ``NEWSWIRE_STANZA_DIR`` (default ``./stanza_models``):

- the official one that ``stanza.download(lang, model_dir=DIR)`` writes
  (``DIR/resources.json``, ``DIR/<lang>/<processor>/<package>.pt``);
- a flat one, ``DIR/<lang>/<processor>.pt`` (as in ``../shared/models/stanza``), loaded
  with ``download_method=None`` and an empty resources file so stanza never goes online.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROCESSORS = {
    "tr": ("tokenize", "mwt", "pos", "lemma", "ner"),
    "en": ("tokenize", "mwt", "pos", "lemma", "ner"),
}
REQUIRED = {"tokenize", "ner"}
# stanza's lemmatizer decodes its unknown words 50 at a time by default, one LSTM step per
# character for each batch: a batch of 1,000 takes ~25% less CPU on real AA articles
# with the same lemmas (it looks at one word at a time, so batching cannot change them).
# bench/bench_shards.py measures it; the other processors' defaults measured no better.
BATCH_SIZES = {"lemma_batch_size": 1000}
# For the same reason it may remember what its seq2seq model said of a (word, POS) pair
# and answer from that the next time (stanza's own ``store_results`` option): a worker
# that has read a few shards decodes only words it has never met. What it remembers
# grows with the words read (real AA text: ~1,800 pairs per 30 articles), so past
# LEMMA_MEMORY_CAP pairs a process forgets them all (:func:`forget_lemmas_past_cap`).
LEMMA_MEMORY = {"lemma_store_results": True}
LEMMA_MEMORY_CAP = 200_000  # about 30 MB of strings
# The repository root (include/newswire/nlp/models.py is three levels down), where
# ``python -m newswire models download`` puts the models by default. Worked out here
# rather than imported from newswire.config, which would load the lake's dependencies
# (s3fs, pyarrow) into every process that only needs a stanza model.
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "stanza_models"


class ModelNotFound(RuntimeError):
    """No usable stanza model for a language; the message says what to do."""


@dataclass(frozen=True)
class ModelSpec:
    lang: str
    layout: str  # "official" or "flat"
    root: Path
    files: tuple[tuple[str, str], ...]  # (processor, path)

    @property
    def processors(self) -> list[str]:
        return [name for name, _ in self.files]

    @property
    def identity(self) -> str:
        """'stanza=1.15.0 tr tokenize:1a2b3c4d5e6f,...': compare model runs in SQL."""
        import stanza

        parts = [f"{name}:{_digest(path)}" for name, path in self.files]
        return f"stanza={stanza.__version__} {self.lang} {self.layout} " + ",".join(parts)


def model_dir() -> Path:
    return Path(os.environ.get("NEWSWIRE_STANZA_DIR", DEFAULT_DIR)).resolve()


def how_to_get_models(lang: str, root: Path) -> str:
    return (f"no stanza model for {lang!r} under {root}. Either download the official "
            f"models (needs the internet): `python -m newswire models download --lang "
            f"{lang}`, or point NEWSWIRE_STANZA_DIR at a directory holding "
            f"{lang}/tokenize.pt, {lang}/ner.pt (and mwt, pos, lemma).")


def wanted_processors(lang: str) -> tuple[str, ...]:
    """The processors to load; NEWSWIRE_STANZA_DEPPARSE=1 adds the dependency parser
    (slower; nothing in the pipeline needs it yet, analysts may)."""
    base = PROCESSORS[lang]
    if os.environ.get("NEWSWIRE_STANZA_DEPPARSE", "").lower() in ("1", "true", "yes"):
        return (*base, "depparse")
    return base


def find_models(lang: str, root: Path | None = None) -> ModelSpec:
    root = (root or model_dir()).resolve()
    if lang not in PROCESSORS:
        raise ModelNotFound(f"language {lang!r} is not supported (supported: "
                            f"{', '.join(PROCESSORS)})")
    wanted = wanted_processors(lang)
    official = root / "resources.json"
    if official.exists() and (root / lang).is_dir():
        files = []
        for name in wanted:
            found = sorted((root / lang / name).glob("*.pt"))
            if found:
                files.append((name, str(found[0])))
        if {n for n, _ in files} >= REQUIRED:
            return ModelSpec(lang, "official", root, tuple(files))
    files = [(name, str(root / lang / f"{name}.pt")) for name in wanted
             if (root / lang / f"{name}.pt").exists()]
    if not {n for n, _ in files} >= REQUIRED:
        raise ModelNotFound(how_to_get_models(lang, root))
    return ModelSpec(lang, "flat", root, tuple(files))


@functools.cache
def _digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:12]


@functools.cache
def _empty_resources() -> str:
    path = Path(tempfile.gettempdir()) / "newswire_stanza_empty_resources.json"
    if not path.exists():
        path.write_text("{}")
    return str(path)


class _ModelsWeHandIt(logging.Filter):
    """The flat layout's empty resources file lists no language, so stanza warns
    "Unsupported language: tr" while it loads the very models we give it for tr: that
    line is not a problem, and only that line is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Unsupported language:")


_UNSUPPORTED_LANGUAGE = _ModelsWeHandIt()


@contextlib.contextmanager
def _no_optimizers():
    """stanza's trainers build a training optimizer even to annotate, and torch's first
    optimizer imports ``torch._dynamo``: ~2 s of CPU (of ~3 s) in every process that
    loads a pipeline, a serial cost before any shard starts. Inference never touches the
    optimizer (only the trainers' ``update`` does), so while a pipeline loads stanza's one
    way to make them (``dispatch_optimizer``) makes none; output is unchanged."""
    from stanza.models.common import utils

    make = getattr(utils, "dispatch_optimizer", None)
    if make is None:  # another stanza: load as it does
        yield
        return
    utils.dispatch_optimizer = lambda *args, **kwargs: None
    try:
        yield
    finally:
        utils.dispatch_optimizer = make


@functools.cache
def load_pipeline(spec: ModelSpec):  # -> stanza.Pipeline (imported lazily: torch is heavy)
    """One pipeline per language per process (cached): loading costs seconds."""
    from newswire.nlp.stanza_memo import memoize_pipeline

    pipeline = stanza_pipeline(spec, {**BATCH_SIZES, **LEMMA_MEMORY})
    # What stanza computes again for each occurrence of the same word or tag, once
    # (the offline models: ~10-15% of a Turkish shard's CPU on real news text, more on
    # repetitive text; the same results).
    memoize_pipeline(pipeline)
    # The models' ~370k Python objects (vocabularies) live as long as the process: out of
    # the collector's sight, its full collections during annotation stop walking them
    # (~4% of a shard's CPU time; results unchanged). Garbage is collected first, so
    # nothing already unreachable (a closed connection in a cycle) is kept for good.
    gc.collect()
    gc.freeze()
    lemma = pipeline.processors.get("lemma")
    trainer = getattr(lemma, "_trainer", None)
    if isinstance(getattr(trainer, "pos_dict", None), dict):  # the model's own lemmas
        trainer.newswire_pos_dict = {pos: dict(words) for pos, words in
                                     trainer.pos_dict.items()}
    return pipeline


def stanza_pipeline(spec: ModelSpec, options: dict | None = None):  # -> stanza.Pipeline
    """stanza's own Pipeline over ``spec``'s models, offline, with stanza's defaults but
    ``options``: what :func:`load_pipeline` builds on, and what benches call raw
    stanza (no options)."""
    import stanza

    common = {"lang": spec.lang, "processors": ",".join(spec.processors),
              "download_method": None, "logging_level": "WARN", "use_gpu": False,
              "tokenize_no_ssplit": False, **(options or {})}
    with _no_optimizers():
        if spec.layout == "official":
            return stanza.Pipeline(dir=str(spec.root), **common)
        paths = {f"{name}_model_path": path for name, path in spec.files}
        # No pretrained vectors or charlm ship with the flat layout; an empty
        # resources file keeps stanza from looking them up online.
        logging.getLogger("stanza").addFilter(_UNSUPPORTED_LANGUAGE)
        return stanza.Pipeline(resources_filepath=_empty_resources(), **paths, **common)


def forget_lemmas_past_cap(pipeline, cap: int = LEMMA_MEMORY_CAP) -> bool:
    """Give the lemmatizer back the dictionary it loaded with once it remembers more than
    ``cap`` (word, POS) answers of its own (``lemma_store_results``); whether it did.
    The lemmas are the same either way: the memory only saves decoding a word again."""
    trainer = getattr(pipeline.processors.get("lemma"), "_trainer", None)
    loaded = getattr(trainer, "newswire_pos_dict", None)
    if loaded is None:
        return False
    size = sum(map(len, trainer.pos_dict.values())) - sum(map(len, loaded.values()))
    if size <= cap:
        return False
    trainer.pos_dict = {pos: dict(words) for pos, words in loaded.items()}
    return True


def download_official(lang: str, root: Path | None = None) -> Path:
    """Production set-up: fetch the official models (with stanza's progress bar)."""
    import stanza

    root = (root or model_dir()).resolve()
    root.mkdir(parents=True, exist_ok=True)
    stanza.download(lang, model_dir=str(root), processors=",".join(PROCESSORS[lang]))
    return root

