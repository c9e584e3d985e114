"""Each distinct word's characters read once per batch, not once per occurrence.

stanza's POS tagger and NER tagger, when their model has no character language model
(``--no_charlm``: the offline models, and any model trained that way), give every word
a vector from a character LSTM over that word's letters alone
(``stanza.models.common.char_model.CharacterModel``). The vector depends on the word's
characters and nothing else, yet stanza runs the LSTM once per occurrence: in a batch of
news text "ve", "bir", "," and the names of the day recur dozens of times, and that LSTM
was ~45% of the Turkish POS tagger's CPU. :class:`DistinctWordCharacterModel` runs it
once per distinct word of the batch and hands each occurrence its word's vector; the
vectors, the tags and the entities stay the same (tests/test_word_chars.py compares
them with stanza's own forward).

Models with a character language model (the official ones) read characters in context
through another module; nothing changes for them.
"""

from __future__ import annotations

import torch
from stanza.models.common.char_model import CharacterModel
from torch.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
)


class DistinctWordCharacterModel(CharacterModel):
    """stanza's CharacterModel, run over the batch's distinct words only."""

    def forward(self, chars, chars_mask, word_orig_idx, sentlens, wordlens):
        lengths = torch.as_tensor(wordlens)
        distinct, inverse = torch.unique(chars, dim=0, return_inverse=True)
        # A distinct row's length: that of any word it stands for (rows are padded with
        # 0, so equal rows have equal lengths). pack_padded_sequence wants them longest
        # first; a stable sort keeps ties in one order whatever the batch.
        distinct_lengths = torch.zeros(distinct.size(0), dtype=lengths.dtype)
        distinct_lengths[inverse] = lengths
        order = torch.sort(distinct_lengths, descending=True, stable=True).indices
        reps = self._read_words(distinct[order], distinct_lengths[order])
        by_distinct = torch.empty_like(reps)
        by_distinct[order] = reps
        res = by_distinct[inverse]
        # What stanza does next, unchanged: back to the words' order, one packed
        # sequence of words per sentence.
        res = _unsort(res, word_orig_idx)
        res = pack_sequence(res.split(sentlens))
        if self.pad:
            res = pad_packed_sequence(res, batch_first=True)[0]
        return res

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


def _unsort(sorted_tensor: torch.Tensor, original_index: list[int]) -> torch.Tensor:
    """stanza.models.common.utils.tensor_unsort."""
    back = sorted(range(len(original_index)), key=original_index.__getitem__)
    return sorted_tensor[back]


def read_distinct_words(pipeline) -> int:
    """Swap the character models of a loaded pipeline's processors for
    :class:`DistinctWordCharacterModel`; how many were swapped."""
    swapped = 0
    for processor in pipeline.processors.values():
        for model in _models(processor):
            for module in model.modules():
                if type(module) is CharacterModel:
                    module.__class__ = DistinctWordCharacterModel
                    swapped += 1
    return swapped


def _models(processor) -> list[torch.nn.Module]:
    # The NER processor keeps a list of taggers (``trainers``), the others one.
    trainers = getattr(processor, "trainers", None) or [getattr(processor, "_trainer", None)]
    found = [getattr(trainer, "model", None) for trainer in trainers]
    return [m for m in found if isinstance(m, torch.nn.Module)]
