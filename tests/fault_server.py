"""Imported by the fork server of ``tests.faults`` only (its preload), never by a test: fills
shiliao's lazy caches once (normalization's and folding's tables, the segmenter the index ranks
with), so that each child forked from the server starts warm instead of loading them again.
Nothing here opens an archive or an index, or starts a thread: a fork copies no lock."""

from shiliao.search import index
from shiliao.zh.fold import fold
from shiliao.zh.normalize import normalize

_SAMPLE = "干部開展結親活動，民族團結一家親。頭髮乾隆"
normalize(_SAMPLE)
fold(_SAMPLE)
index._words(normalize(_SAMPLE))
