"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread), every message kept.

Digests are sent through the same smtplib code as in production; only the far end is
ours. It can ask for a login, refuse an address for good (550), answer one message
with a temporary failure (451) or drop the connection in the middle of it.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Behaviour:
    refuse: set[str] = field(default_factory=set)  # RCPT TO answered 550
    # address -> how many of its DATA commands fail before one is accepted
    temporary: dict[str, int] = field(default_factory=dict)  # answered 451
    drop: dict[str, int] = field(default_factory=dict)  # the connection closes mid-message
    user: str | None = None
    password: str | None = None


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802, E501
        if address in self.server.behaviour.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        behaviour = self.server.behaviour
        (rcpt,) = envelope.rcpt_tos  # one recipient a message, always
        with self.server.lock:
            if behaviour.temporary.get(rcpt, 0) > 0:
                behaviour.temporary[rcpt] -= 1
                return "451 4.3.0 Try again later"
            if behaviour.drop.get(rcpt, 0) > 0:
                behaviour.drop[rcpt] -= 1
                self.server.connections_dropped += 1
                server.transport.close()
                return "250 never seen"  # the client is gone before this
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK queued"


class SmtpServer:
    """`with SmtpServer() as smtp:` serves on smtp.port until the block ends."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.received: list[Received] = []
        self.logins: list[tuple[str, str]] = []
        self.connections_dropped = 0
        self.lock = threading.Lock()
        self.port = _free_port()
        kwargs: dict[str, Any] = {}
        if self.behaviour.user:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,  # loopback only: the test has no certificate
            }
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, **kwargs
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:  # noqa: E501
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        ok = login == self.behaviour.user and password == self.behaviour.password
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    def env(self) -> dict[str, str]:
        """The PAPERFEED_SMTP_* settings that reach this server."""
        env = {
            "PAPERFEED_SMTP_HOST": "127.0.0.1",
            "PAPERFEED_SMTP_PORT": str(self.port),
            "PAPERFEED_SMTP_TLS": "none",
            "PAPERFEED_SMTP_FROM": "digest@feeds.example.org",
        }
        if self.behaviour.user:
            env["PAPERFEED_SMTP_USER"] = self.behaviour.user
            env["PAPERFEED_SMTP_PASSWORD"] = self.behaviour.password or ""
        return env

    def recipients(self) -> list[str]:
        return [rcpt for message in self.received for rcpt in message.rcpt_tos]

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def _free_port() -> int:
    """A port nobody listens on: aiosmtpd needs one up front (it checks it answers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
