"""A tiny OpenAI-style embeddings server on 127.0.0.1, in a thread, whose answers a test sets."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import numpy as np

from crosswire.analysis.embedders import HashEmbedder

Answer = Callable[[dict[str, Any]], "tuple[int, bytes]"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeEmbeddingServer:
    """Serves ``GET /v1/models`` and ``POST /v1/embeddings``; ``answer`` replaces the embeddings answer.

    Its vectors are the hash fake's first ``dim`` components, not scaled to unit length (some
    servers do not scale them: the client must).
    """

    def __init__(self, models: tuple[str, ...] = ("fake-model",), dim: int = 8) -> None:
        self.models = list(models)
        self.dim = dim
        self.answer: Answer | None = None
        self.requests: list[dict[str, Any]] = []  # {"method", "path", "headers", "body"}
        self.connections: list[socket.socket] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                owner.connections.append(self.request)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                owner.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers), "body": None})
                if self.path == "/v1/models":
                    self._send(200, json.dumps({"object": "list", "data": [{"id": m} for m in owner.models]}).encode())
                else:
                    self._send(404, b'{"error": {"message": "unknown route"}}')

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw)
                owner.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers), "body": body})
                if self.path != "/v1/embeddings":
                    self._send(404, b'{"error": {"message": "unknown route"}}')
                    return
                self._send(*(owner.answer or owner.good)(body))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def vectors(self, texts: list[str], dim: int | None = None) -> np.ndarray:
        return HashEmbedder().embed(texts)[:, : dim or self.dim] * 3.0

    def good(self, body: dict[str, Any], dim: int | None = None, model: str | None = None) -> tuple[int, bytes]:
        vectors = self.vectors(body["input"], dim)
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        # Listed in reverse: the client must put them back by "index".
        answer = {"object": "list", "data": data[::-1], "model": model or body["model"]}
        return 200, json.dumps(answer).encode()

    def embedding_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]

    def stop(self) -> None:
        """Down as a stopped process is: nothing listens, and kept connections are cut."""
        self.httpd.shutdown()
        self.httpd.server_close()
        for conn in self.connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(timeout=10)
