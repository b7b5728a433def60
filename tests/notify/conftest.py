from __future__ import annotations

import importlib.util
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from stip.app import Stip

_spec = importlib.util.spec_from_file_location(
    "stip_actions_world", Path(__file__).parent.parent / "actions" / "world.py"
)
assert _spec and _spec.loader
world_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(world_module)


@pytest.fixture
def world(stip_home: Path) -> Stip:
    """A Stip home with the hand-made MSP of world.py loaded."""
    return world_module.build(Stip.load())


@pytest.fixture(name="W")
def world_data() -> object:
    """The world module: ids, rows() and local() for hand-computed expectations."""
    return world_module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpCollector:
    """aiosmtpd handler that keeps every received message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        raw = envelope.content  # type: ignore[attr-defined]
        message = BytesParser(policy=policy.default).parsebytes(raw)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[attr-defined]
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    handler: SmtpCollector
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), SmtpCollector())
    server.start()
    yield server
    server.stop()


@dataclass
class HttpReceiver:
    """A real HTTP server on loopback that records JSON POST bodies (a Teams webhook)."""

    port: int
    bodies: list[dict] = field(default_factory=list)
    status: int = 202
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/workflows/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", "0"))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def teams_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(free_port())
    receiver.start()
    yield receiver
    receiver.stop()
