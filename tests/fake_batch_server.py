"""A real HTTP server on 127.0.0.1 that speaks just enough of OpenAI's files and batches API for the batch tests.

``POST /v1/files`` (a multipart upload) keeps the bytes; ``GET /v1/files/{id}/content`` serves them;
``POST /v1/batches`` creates a batch; ``GET /v1/batches/{id}`` runs it on first retrieval (unless ``hold``
keeps it ``in_progress``): every line of the input file is answered by ``answer(line_number, request_body)``
(a status and a body), successes go to an output file and failures to an error file, and the batch reports
``completed`` with both file ids. ``fixed`` makes it a server without that API: every request gets the same
answer (an HTML page, a JSON object that is no file or batch, a 401), and ``fixed_batches`` only the
``/v1/batches`` requests; ``drip_batches_s`` sends those a byte at a time (a slow-drip server).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_openai_server import error_body
from loopback import LoopbackServer, QuietHandler

Answer = Callable[[int, dict[str, Any]], tuple[int, dict[str, Any]]]


@dataclass
class Upload:
    filename: str
    purpose: str
    data: bytes
    authorization: str | None


@dataclass
class BatchServer(LoopbackServer):
    answer: Answer
    files: dict[str, Upload] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    authorizations: set[str | None] = field(default_factory=set)
    hold: bool = False  # batches stay in_progress when retrieved
    fixed: tuple[int, str, str] | None = None  # (status, body, content type) for every request
    fixed_batches: tuple[int, str, str] | None = None  # the same for /v1/batches requests only
    drip_batches_s: float = 0.0  # send /v1/batches answers a byte at a time, this many seconds apart

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._listen()

    def uploaded(self, purpose: str = "batch") -> list[Upload]:
        return [upload for upload in self.files.values() if upload.purpose == purpose]

    # ------------------------------------------------------------ the endpoints

    def upload(self, content_type: str, raw: bytes, authorization: str | None) -> tuple[int, dict[str, Any]]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
        if "file" not in fields or "purpose" not in fields:
            return 400, error_body("file and purpose are required", "invalid_request_error")
        filename, data = fields["file"]
        purpose = fields["purpose"][1].decode()
        file_id = self._store(Upload(filename or "upload", purpose, data, authorization))
        return 200, self._file_object(file_id)

    def create_batch(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("input_file_id") not in self.files:
            return 404, error_body("no such file", "invalid_request_error")
        if body.get("endpoint") != "/v1/chat/completions" or body.get("completion_window") != "24h":
            return 400, error_body("bad endpoint or window", "invalid_request_error")
        with self._lock:
            batch_id = f"batch_{next(self._ids)}"
        batch = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body["endpoint"],
            "completion_window": body["completion_window"],
            "input_file_id": body["input_file_id"],
            "status": "validating",
            "created_at": 1_700_000_000,
            "metadata": body.get("metadata"),
            "output_file_id": None,
            "error_file_id": None,
            "request_counts": {"completed": 0, "failed": 0, "total": 0},
        }
        self.batches[batch_id] = batch
        return 200, batch

    def retrieve_batch(self, batch_id: str) -> tuple[int, dict[str, Any]]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, error_body("no such batch", "invalid_request_error")
        if self.hold:
            batch["status"] = "in_progress"
        elif batch["status"] in ("validating", "in_progress"):
            self._run(batch)
        return 200, batch

    def _run(self, batch: dict[str, Any]) -> None:
        """Answer every request of the input file, as the provider does in its own time."""
        output: list[str] = []
        errors: list[str] = []
        lines = self.files[batch["input_file_id"]].data.decode().splitlines()
        for number, line in enumerate(lines):
            request = json.loads(line)
            status, body = self.answer(number, request["body"])
            result = {
                "id": f"batch_req_{number}",
                "custom_id": request["custom_id"],
                "response": {"status_code": status, "request_id": f"req_{number}", "body": body},
                "error": None,
            }
            (output if status == 200 else errors).append(json.dumps(result))
        for key, results in (("output_file_id", output), ("error_file_id", errors)):
            if results:
                data = ("\n".join(results) + "\n").encode()
                batch[key] = self._store(Upload(f"{key}.jsonl", "batch_output", data, None))
        batch["status"] = "completed"
        batch["request_counts"] = {"completed": len(output), "failed": len(errors), "total": len(lines)}

    def _store(self, upload: Upload) -> str:
        with self._lock:
            file_id = f"file-{next(self._ids)}"
            self.files[file_id] = upload
        return file_id

    def _file_object(self, file_id: str) -> dict[str, Any]:
        upload = self.files[file_id]
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(upload.data),
            "created_at": 1_700_000_000,
            "filename": upload.filename,
            "purpose": upload.purpose,
            "status": "processed",
        }

    def _handler(self) -> type[QuietHandler]:
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                raw = self.body()
                server.requests.append(("POST", self.path))
                server.authorizations.add(self.headers.get("authorization"))
                if self._fixed():
                    return
                if self.path == "/v1/files":
                    content_type = self.headers.get("content-type", "")
                    self._reply(*server.upload(content_type, raw, self.headers.get("authorization")))
                elif self.path == "/v1/batches":
                    self._reply(*server.create_batch(json.loads(raw or b"{}")))
                else:
                    self._reply(404, error_body(f"no route {self.path}", "invalid_request_error"))

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path))
                server.authorizations.add(self.headers.get("authorization"))
                if self._fixed():
                    return
                if match := re.fullmatch(r"/v1/files/([\w-]+)/content", self.path):
                    upload = server.files.get(match[1])
                    if upload is None:
                        self._reply(404, error_body("no such file", "invalid_request_error"))
                    else:
                        self._send(200, upload.data, "application/octet-stream")
                elif match := re.fullmatch(r"/v1/batches/([\w-]+)", self.path):
                    self._reply(*server.retrieve_batch(match[1]))
                else:
                    self._reply(404, error_body(f"no route {self.path}", "invalid_request_error"))

            def _fixed(self) -> bool:
                fixed = server.fixed or (server.fixed_batches if self.path.startswith("/v1/batches") else None)
                if fixed is not None:
                    self._send(fixed[0], fixed[1].encode(), fixed[2])
                return fixed is not None

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                drip = server.drip_batches_s if self.path.startswith("/v1/batches") else 0.0
                try:
                    self.send_response(status)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    if not drip:
                        self.wfile.write(data)
                    for at in range(len(data) if drip else 0):
                        self.wfile.write(data[at : at + 1])
                        threading.Event().wait(drip)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def batch_server(answer: Answer, hold: bool = False, **faults: Any) -> BatchServer:
    """The server, to use in a ``with`` block (it serves inside it)."""
    return BatchServer(answer, hold=hold, **faults)
