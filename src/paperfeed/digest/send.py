"""Sending a digest by SMTP, one message a recipient, and never the same one twice.

A feed has no server of its own: a scheduled workflow runs this, and may be rerun or
stopped half-way. So each recipient's fate is written to a state file as soon as it is
known (atomically: a crash leaves the old file or the new one), and a rerun sends only
to those not reached yet. A recipient is marked "sending" before its message goes out:
should the run die before the server's answer is recorded, the next run does not send
it again, and says so. Never twice wins over at least once.

The password is only handed to smtplib: it is in no repr, log line or error message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import smtplib
import ssl
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from ipaddress import ip_address
from pathlib import Path
from typing import Literal

from paperfeed.digest.subscribers import masked
from paperfeed.errors import PaperfeedError, Problem

_log = logging.getLogger(__name__)

TlsMode = Literal["starttls", "ssl", "none"]
TLS_MODES: tuple[TlsMode, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
ENV = "PAPERFEED_SMTP_"


class SendError(PaperfeedError):
    """The run cannot go on: the login, the sender or TLS was refused, or settings are bad."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # the From address; "Name <a@b>" is fine
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsMode = "starttls"
    timeout: float = 30.0
    # A server with a private CA: its certificate (PEM), trusted instead of the system's.
    ca_file: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """From PAPERFEED_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _TLS and _CA_FILE."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return (env.get(ENV + name) or "").strip() or None

        host = get("HOST")
        if not host:
            raise SendError(f"{ENV}HOST is not set: set it to your mail server's host name")
        tls = (get("TLS") or "starttls").lower()
        if tls not in TLS_MODES:
            raise SendError(f"{ENV}TLS is {tls!r}: use one of {', '.join(TLS_MODES)}")
        port_text = get("PORT")
        try:
            port = int(port_text) if port_text else DEFAULT_PORTS[tls]
        except ValueError:
            raise SendError(f"{ENV}PORT is {port_text!r}: use a port number, e.g. 587") from None
        if not 0 < port < 65536:
            raise SendError(f"{ENV}PORT is {port}: use a port number from 1 to 65535")
        user, password = get("USER"), env.get(ENV + "PASSWORD") or None
        sender = get("FROM") or (user if user and "@" in user else None)
        if not sender:
            raise SendError(f"{ENV}FROM is not set: set it to the address digests come from")
        if user and not password:
            raise SendError(f"{ENV}USER is set but {ENV}PASSWORD is not: set both or neither")
        ca_text = get("CA_FILE")
        ca_file = Path(ca_text) if ca_text else None
        if ca_file is not None:
            if tls == "none":
                raise SendError(f"{ENV}CA_FILE is set but {ENV}TLS is none: use starttls or ssl")
            _tls_context(ca_file)  # a bad file is reported now, before any connection
        return cls(host, port, sender, user, password, tls, ca_file=ca_file)

    def scrub(self, text: str) -> str:
        """`text` with the password blanked out, for anything a server said."""
        return text.replace(self.password, "********") if self.password else text


# -- the state: who has had which period ----------------------------------------


def recipient_key(address: str) -> str:
    """How the state names a recipient: a hash, so the file (kept in a CI cache, which
    other workflows of the repository can read) lists no addresses."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:32]


class SendState:
    """The state file: for each period ("week:2024-W48"), the recipients sent to, and
    those a run was sending to when it stopped."""

    version = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        self._periods: dict[str, dict[str, list[str]]] = {}
        if path.exists():
            self._periods = _read_state(path)

    def status(self, period: str, address: str) -> Literal["sent", "sending"] | None:
        found = self._periods.get(period, {})
        key = recipient_key(address)
        if key in found.get("sent", ()):
            return "sent"
        if key in found.get("sending", ()):
            return "sending"
        return None

    def begin(self, period: str, address: str) -> None:
        self._move(period, address, to="sending")

    def done(self, period: str, address: str) -> None:
        self._move(period, address, to="sent")

    def abandon(self, period: str, address: str) -> None:
        """Not sent, for sure (refused, or every try failed): a rerun may try again."""
        self._move(period, address, to=None)

    def _move(self, period: str, address: str, to: str | None) -> None:
        key = recipient_key(address)
        lists = self._periods.setdefault(period, {"sent": [], "sending": []})
        for name in ("sent", "sending"):
            if key in lists[name]:
                lists[name].remove(key)
        if to:
            lists[to].append(key)
        self._save()

    def _save(self) -> None:
        data = {"version": self.version, "periods": self._periods}
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _read_state(path: Path) -> dict[str, dict[str, list[str]]]:
    def bad(message: str) -> SendError:
        return SendError(Problem(str(path), None, "state", message))

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad(
            f"cannot be read ({e}): nothing was sent. Fix or remove it (removing it may "
            "send a period again to everyone)"
        ) from None
    periods = data.get("periods") if isinstance(data, dict) else None
    if not isinstance(periods, dict) or data.get("version") != SendState.version:
        raise bad("is not a paperfeed digest state (version 1): nothing was sent")
    for period, lists in periods.items():
        if not (
            isinstance(lists, dict)
            and all(isinstance(lists.get(n, []), list) for n in ("sent", "sending"))
        ):
            raise bad(f"period {period!r} is not a mapping of lists: nothing was sent")
        lists.setdefault("sent", [])
        lists.setdefault("sending", [])
    return periods


# -- sending ----------------------------------------------------------------------


@dataclass
class SendReport:
    """What a run did, recipient by recipient (addresses as given)."""

    period: str
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent by an earlier run
    interrupted: list[str] = field(default_factory=list)  # an earlier run died sending
    refused: list[tuple[str, str]] = field(default_factory=list)  # 5xx: address, reply
    failed: list[tuple[str, str]] = field(default_factory=list)  # every try failed
    not_tried: list[str] = field(default_factory=list)  # the server was gone for good

    @property
    def ok(self) -> bool:
        return not (self.refused or self.failed or self.not_tried or self.interrupted)

    def summary(self) -> str:
        parts = [f"{len(self.sent)} sent", f"{len(self.already)} already sent before"]
        for name, items in (
            ("refused", self.refused),
            ("failed", self.failed),
            ("not tried", self.not_tried),
            ("interrupted earlier, not resent", self.interrupted),
        ):
            if items:
                parts.append(f"{len(items)} {name}")
        return f"{self.period}: " + ", ".join(parts)


class _Refused(Exception):
    """The server refused this message for good (5xx): go on with the next."""


class _Temporary(Exception):
    """Worth another try (4xx, a dropped connection); `connection` if we lost it."""

    def __init__(self, message: str, connection: bool) -> None:
        super().__init__(message)
        self.connection = connection


class Mailer:
    """One SMTP connection, opened on first use and again after it is lost."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Send to `recipient` only; raises _Refused, _Temporary or SendError."""
        s = self.settings
        try:
            if self._smtp is None:
                self._smtp = self._open()
            self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as e:
            code, reply = next(iter(e.recipients.values()), (0, b""))
            self._classify(code, reply, permanent=_Refused)
        except smtplib.SMTPAuthenticationError as e:
            self.close()
            raise SendError(
                f"{s.host} refused the login of {s.user!r} ({_reply(e, s)}): "
                f"check {ENV}USER and {ENV}PASSWORD"
            ) from None
        except smtplib.SMTPSenderRefused as e:
            self._classify(e.smtp_code, e.smtp_error, permanent=SendError, what="the sender")
        except smtplib.SMTPNotSupportedError as e:
            self.close()
            raise SendError(
                f"{s.host} cannot do that ({s.scrub(str(e))}): check {ENV}TLS"
            ) from None
        except smtplib.SMTPResponseException as e:  # DATA refused, or the greeting
            self._classify(e.smtp_code, e.smtp_error, permanent=_Refused)
        except ssl.SSLCertVerificationError as e:
            self.close()
            reason = e.verify_message or e.reason or str(e)
            trusted = f"the CA in {s.ca_file}" if s.ca_file else "this machine's CAs"
            raise SendError(
                f"the certificate of {s.host}:{s.port} is not trusted ({reason}): nothing was "
                f"sent. It is not signed by {trusted}, or is not for {s.host}; if the server "
                f"has a private CA, set {ENV}CA_FILE to its certificate (PEM)"
            ) from None
        except ssl.SSLError as e:
            self.close()
            raise SendError(f"TLS with {s.host}:{s.port} failed ({e}): check {ENV}TLS") from None
        except (smtplib.SMTPException, OSError) as e:  # disconnected, refused, timed out
            self.close()
            raise _Temporary(f"{type(e).__name__}: {s.scrub(str(e)) or 'no reply'}", True) from None

    def _classify(
        self,
        code: int,
        reply: bytes | str,
        permanent: type[Exception],
        what: str = "the message",
    ) -> None:
        text = f"{code} {_text(reply)}".strip()
        text = self.settings.scrub(text)
        if code == 421 or code < 400:  # 421: the server closes the connection
            self.close()
            raise _Temporary(text, True)
        if code < 500:
            self._reset()
            raise _Temporary(text, False)
        self._reset()
        if permanent is SendError:
            raise SendError(f"{self.settings.host} refused {what}: {text}")
        raise permanent(text)

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.user and s.tls == "none" and not _is_loopback(s.host):
            raise SendError(
                f"{ENV}TLS is none: the password would cross the network in the clear. "
                "Use starttls or ssl (none is for a server on this machine only)"
            )
        context = _tls_context(s.ca_file)
        smtp: smtplib.SMTP
        if s.tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user and s.password:
                smtp.login(s.user, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _reset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificates and host names always checked: by this machine's CAs, or by the
    one in `ca_file` alone (a server with a CA of its own)."""
    if ca_file is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except OSError as e:  # ssl.SSLError too: a file that holds no certificate
        reason = (
            e.strerror
            if not isinstance(e, ssl.SSLError) and e.strerror
            else "no PEM certificate in it"
        )
        raise SendError(f"{ENV}CA_FILE {str(ca_file)!r} cannot be used ({reason})") from None


def _reply(e: smtplib.SMTPResponseException, s: SmtpSettings) -> str:
    return s.scrub(f"{e.smtp_code} {_text(e.smtp_error)}".strip())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _is_loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass(frozen=True)
class Pace:
    """How fast and how stubbornly: at most `max_per_minute` messages (None: no limit);
    a temporary failure tried `retries` more times, after `backoff`, 2x, 4x... seconds."""

    max_per_minute: int | None = None
    retries: int = 3
    backoff: float = 2.0


def send_digest(
    message_for: Callable[[str], EmailMessage],
    period: str,
    recipients: Sequence[str],
    settings: SmtpSettings,
    state: SendState,
    pace: Pace | None = None,
    *,
    log: Callable[[str], None] = _log.info,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SendReport:
    """Send `message_for(recipient)` to each recipient `state` does not have for `period`.

    A refused recipient is reported and the others still get theirs; a temporary failure
    is tried again on a new connection; if the server stays out of reach, the run stops
    and the rest are left, unmarked, for the next run. Raises SendError when nothing can
    be sent (login, sender or TLS refused); the state then holds everything done so far.
    """
    pace = pace or Pace()
    report = SendReport(period)
    mailer = Mailer(settings)
    gap = 60.0 / pace.max_per_minute if pace.max_per_minute else 0.0
    last: float | None = None
    envelope_from = _envelope(settings.sender)
    try:
        for index, recipient in enumerate(recipients):
            status = state.status(period, recipient)
            if status == "sent":
                report.already.append(recipient)
                continue
            if status == "sending":
                report.interrupted.append(recipient)
                log(f"{masked(recipient)}: an earlier run stopped while sending: not resent")
                continue
            message = message_for(recipient)
            state.begin(period, recipient)
            error: _Temporary | None = None
            for attempt in range(pace.retries + 1):
                if attempt:
                    sleep(pace.backoff * 2 ** (attempt - 1))
                if last is not None and gap:
                    sleep(max(0.0, last + gap - clock()))
                last = clock()
                try:
                    mailer.send(message, envelope_from, recipient)
                except _Refused as e:
                    state.abandon(period, recipient)
                    report.refused.append((recipient, str(e)))
                    log(f"{masked(recipient)}: refused: {e}")
                    error = None
                    break
                except _Temporary as e:
                    error = e
                    log(f"{masked(recipient)}: try {attempt + 1} failed: {e}")
                    continue
                except SendError:
                    # refused before any DATA (login, sender, TLS): surely not sent.
                    # Any other interruption leaves "sending": it may have been.
                    state.abandon(period, recipient)
                    raise
                state.done(period, recipient)
                report.sent.append(recipient)
                error = None
                break
            if error is not None:
                state.abandon(period, recipient)
                report.failed.append((recipient, str(error)))
                if error.connection:  # the server is gone: leave the rest for a rerun
                    report.not_tried.extend(recipients[index + 1 :])
                    log(f"{settings.host} is out of reach: stopping, a rerun sends the rest")
                    break
    finally:
        mailer.close()
    return report


def _envelope(sender: str) -> str:
    return parseaddr(sender)[1] or sender
