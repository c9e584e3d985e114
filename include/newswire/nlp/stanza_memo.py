"""What stanza computes again for every occurrence of the same input, computed once.

**A word's characters, once.**
stanza's POS tagger and NER tagger, when their model has no character language model
(``--no_charlm``: the offline models, and any model trained that way), give every word
a vector from a character LSTM over that word's letters alone
(``stanza.models.common.char_model.CharacterModel``). The vector depends on the word's
characters and nothing else, yet stanza runs the LSTM once per occurrence: in a batch of
news text "ve", "bir", "," and the names of the day recur dozens of times, and that LSTM
was ~45% of the Turkish POS tagger's CPU. :class:`DistinctWordCharacterModel` runs it
once per distinct word of the batch, remembers the vectors of the words it has read
(up to :data:`WORD_MEMORY_CAP`) and hands each occurrence its word's vector; the
vectors, the tags and the entities stay the same (tests/test_nlp.py compares them with
stanza's own forward). Models with a character language model (the official ones) read
characters in context through another module; nothing changes for them.

**A tag's string, once per process.** The POS tagger writes each word's features as a
string ("Case=Nom|Number=Sing|...") built from the ids its classifiers chose, one
``str.format`` per feature per word (~4% of a Turkish shard's CPU); the string depends
on the ids alone, so :class:`RememberedUnits` builds it once per distinct
combination (a few thousand in a language) and answers from memory after.
"""

from __future__ import annotations

import torch
from stanza.models.common.char_model import CharacterModel
from stanza.models.common.utils import tensor_unsort
from stanza.models.common.vocab import CompositeVocab
from torch.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
)

# Words a character model remembers the vector of (past it, it forgets them all and
# starts again). At the cap the offline tr POS tagger's vectors (400 floats a word) hold
# ~48 MB and the NER tagger's (200) ~24 MB.
WORD_MEMORY_CAP = 30_000


class DistinctWordCharacterModel(CharacterModel):
    """stanza's CharacterModel, run once per distinct word: within a batch, and across
    batches for the words it remembers (:data:`WORD_MEMORY_CAP`)."""

    def forward(self, chars, chars_mask, word_orig_idx, sentlens, wordlens):
        if self.training:  # memory is for reading, not for learning
            return super().forward(chars, chars_mask, word_orig_idx, sentlens, wordlens)
        lengths = torch.as_tensor(wordlens)
        distinct, inverse = torch.unique(chars, dim=0, return_inverse=True)
        # A distinct row's length: that of any word it stands for (rows are padded with
        # 0, so equal rows have equal lengths).
        distinct_lengths = torch.zeros(distinct.size(0), dtype=lengths.dtype)
        distinct_lengths[inverse] = lengths
        res = self._vectors(distinct, distinct_lengths)[inverse]
        # What stanza does next, unchanged: back to the words' order, one packed
        # sequence of words per sentence.
        res = tensor_unsort(res, word_orig_idx)
        res = pack_sequence(res.split(sentlens))
        if self.pad:
            res = pad_packed_sequence(res, batch_first=True)[0]
        return res

    def _vectors(self, words: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Each word's vector (one row of ``words`` a distinct word): remembered, or
        read now and remembered."""
        memory = self.__dict__.setdefault("newswire_words", WordMemory())
        rows = words.numpy()
        keys = [rows[i, :n].tobytes() for i, n in enumerate(lengths.tolist())]
        new = [i for i, key in enumerate(keys) if key not in memory.index]
        if len(memory.index) + len(new) > WORD_MEMORY_CAP:
            memory.forget()
            new = list(range(len(keys)))
        if new:
            # pack_padded_sequence wants the words longest first; a stable sort keeps
            # ties in one order whatever the batch.
            picked = torch.tensor(new)
            picked = picked[torch.sort(lengths[picked], descending=True, stable=True).indices]
            memory.add([keys[i] for i in picked.tolist()],
                       self._read_words(words[picked], lengths[picked]))
        return memory.rows([memory.index[key] for key in keys])

    def _read_words(self, chars: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """CharacterModel.forward's own arithmetic for words sorted longest first."""
        embs = self.dropout(self.char_emb(chars))
        batch_size = embs.size(0)
        layers = self.num_dir * self.args["char_num_layers"]
        hidden = self.args["char_hidden_dim"]
        packed = pack_padded_sequence(embs, lengths.tolist(), batch_first=True)
        output = self.charlstm(packed, lengths, hx=(
            self.charlstm_h_init.expand(layers, batch_size, hidden).contiguous(),
            self.charlstm_c_init.expand(layers, batch_size, hidden).contiguous()))
        if self.attn:
            char_reps = output[0]
            weights = torch.sigmoid(self.char_attn(self.dropout(char_reps.data)))
            char_reps = PackedSequence(char_reps.data * weights, char_reps.batch_sizes)
            char_reps, _ = pad_packed_sequence(char_reps, batch_first=True)
            return char_reps.sum(1)
        h, _ = output[1]
        return h[-2:].transpose(0, 1).contiguous().view(batch_size, -1)


class WordMemory:
    """Word vectors in one growing tensor, found by the word's character ids."""

    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.bank: torch.Tensor | None = None

    def add(self, keys: list[bytes], vectors: torch.Tensor) -> None:
        used = len(self.index)
        if self.bank is None or used + len(keys) > self.bank.size(0):
            needed = used + len(keys)
            # Doubling, but never past what the cap lets it hold.
            size = max(needed, min(2 * used, WORD_MEMORY_CAP), 1024)
            grown = vectors.new_empty(size, vectors.size(1))
            if self.bank is not None:
                grown[:used] = self.bank[:used]
            self.bank = grown
        self.bank[used:used + len(keys)] = vectors
        self.index.update((key, used + n) for n, key in enumerate(keys))

    def rows(self, positions: list[int]) -> torch.Tensor:
        assert self.bank is not None
        return self.bank.index_select(0, torch.tensor(positions))

    def forget(self) -> None:
        self.index.clear()
        self.bank = None


class RememberedUnits:
    """Mixed into stanza's CompositeVocab classes (features, composite XPOS): each
    string built from a combination of ids is remembered."""

    def id2unit(self, id):  # stanza's own signature
        memory = self.__dict__.setdefault("newswire_units", {})
        key = tuple(id) if isinstance(id, list | tuple) else id
        unit = memory.get(key)
        if unit is None:
            unit = super().id2unit(id)
            if isinstance(unit, str):  # a vocab without separator answers a (fresh) list
                memory[key] = unit
        return unit


_REMEMBERING: dict[type, type] = {}


def _remembering(cls: type) -> type:
    """``cls`` (a CompositeVocab class) with :class:`RememberedUnits` mixed in."""
    if cls not in _REMEMBERING:
        _REMEMBERING[cls] = type(f"Remembered{cls.__name__}", (RememberedUnits, cls), {})
    return _REMEMBERING[cls]


def memoize_pipeline(pipeline) -> dict[str, int]:
    """Swap, in a loaded pipeline, stanza's CharacterModel for
    :class:`DistinctWordCharacterModel` and mix :class:`RememberedUnits` into its
    CompositeVocabs; how many of each were swapped."""
    swapped = {"character_models": 0, "composite_vocabs": 0}
    for processor in pipeline.processors.values():
        for model in _models(processor):
            for module in model.modules():
                if type(module) is CharacterModel:
                    module.__class__ = DistinctWordCharacterModel
                    swapped["character_models"] += 1
        for trainer in _trainers(processor):
            for vocab in _vocabs(getattr(trainer, "vocab", None)):
                if isinstance(vocab, CompositeVocab) and not isinstance(vocab, RememberedUnits):
                    vocab.__class__ = _remembering(type(vocab))
                    swapped["composite_vocabs"] += 1
    return swapped


def _trainers(processor) -> list:
    # The NER processor keeps a list of taggers (``trainers``), the others one.
    return getattr(processor, "trainers", None) or [getattr(processor, "_trainer", None)]


def _models(processor) -> list[torch.nn.Module]:
    found = [getattr(trainer, "model", None) for trainer in _trainers(processor)]
    return [m for m in found if isinstance(m, torch.nn.Module)]


def _vocabs(vocab) -> list:
    """A trainer's vocabularies: stanza's MultiVocab holds them by name."""
    if vocab is None:
        return []
    inner = getattr(vocab, "_vocabs", None)
    return list(inner.values()) if isinstance(inner, dict) else [vocab]
