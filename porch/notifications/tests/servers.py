"""Real servers on loopback for the tests: an SMTP server (aiosmtpd) that keeps what
arrived, and an HTTP server that speaks Twilio's Messages API."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server accepted. `replies`: answers to give to the next messages
    instead of accepting them ("451 ...", "550 ..."). `hold`: when set, the next message
    waits in DATA, before any answer, until `release` is set."""

    messages: list[EmailMessage] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    hold: threading.Event | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held: int = 0
    # A held message is kept, as if the server had taken it before the client died.
    keep_held: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold is not None and self.hold.is_set():
            self.hold.clear()
            self.held += 1
            if self.keep_held:
                # Taken before the answer, as a server that commits the message first.
                self._keep(envelope)
            self.holding.set()
            # Until released; aiosmtpd cancels this wait when the client's connection is
            # lost. A message not kept is never delivered: by SMTP it was not accepted
            # until the answer reached the client (RFC 5321, 6.1).
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "421 connection lost"
        if self.replies:
            return self.replies.pop(0)
        self._keep(envelope)
        return "250 OK"

    def _keep(self, envelope: Any) -> None:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.release.set()
        controller.stop()


@dataclass
class Twilio:
    """What the fake Twilio received, and what it answers next: (status, JSON body)."""

    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@contextmanager
def twilio_server() -> Iterator[tuple[Twilio, str]]:
    state = Twilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            state.received.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "form": form}
            )
            status, body = (
                state.answers.pop(0)
                if state.answers
                else (201, {"sid": f"SM{len(state.received):032d}", "status": "queued"})
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
