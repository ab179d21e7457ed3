"""Sending a digest over TLS to a real server (aiosmtpd on 127.0.0.1): STARTTLS on the
submission port and TLS from the first byte (ssl), the certificate always checked.

The certificates are made for each run with the openssl command line: a private CA and
a certificate it signs for 127.0.0.1, as a company's own mail server may have. The
client trusts that CA only through PAPERFEED_SMTP_CA_FILE; without it, or with another
CA, the server is refused before any address or password is sent.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from conftest import Site
from paperfeed.cli_digest import digest
from paperfeed.digest.send import SendError, SendState, SmtpSettings
from smtpserver import Behaviour, SmtpServer, _Handler

# aiosmtpd warns of the ssl server's auth_require_tls=False, which TLS makes moot.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SUBSCRIBERS = ["ada@example.org", "alan@example.net"]
PASSWORD = "tls-Pa55word"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two private CAs; a server certificate for 127.0.0.1 signed by the first, and one
    for another name."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is missing: apt-get install openssl")
    folder = tmp_path_factory.mktemp("pki")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=folder, check=True, capture_output=True)

    def key(name: str) -> None:
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", f"{name}.key")  # fmt: skip

    for ca in ("ca", "other-ca"):
        key(ca)
        run("req", "-x509", "-new", "-key", f"{ca}.key", "-out", f"{ca}.pem", "-days", "2",
            "-subj", f"/CN=paperfeed test {ca}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    for name, san in (("server", "IP:127.0.0.1"), ("wrong-name", "DNS:mail.example.org")):
        key(name)
        run("req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr", "-subj", "/CN=mail")
        (folder / f"{name}.ext").write_text(
            f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        )
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext",
            "-out", f"{name}.pem")  # fmt: skip
    return {p.stem if p.suffix == ".pem" else p.name: p for p in folder.iterdir()}


class TlsSmtpServer(SmtpServer):
    """The tests' SMTP server (smtpserver.py), speaking TLS: `starttls` offers STARTTLS
    and refuses mail before it, `ssl` is TLS from the first byte. A login is accepted
    over TLS only, as aiosmtpd does by default."""

    def __init__(self, mode: str, cert: Path, key: Path, behaviour: Behaviour | None = None):
        super().__init__(behaviour)
        self.mode = mode
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kwargs: dict[str, Any] = {}
        if self.behaviour.user:
            kwargs = {"authenticator": self._authenticate, "auth_required": True}
        if mode == "ssl":
            kwargs["ssl_context"] = context
            # aiosmtpd knows a session is encrypted by its STARTTLS only; this one is
            # from its first byte, so a login may come at once
            if self.behaviour.user:
                kwargs["auth_require_tls"] = False
        else:
            kwargs.update(tls_context=context, require_starttls=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      server_hostname="127.0.0.1", **kwargs)  # fmt: skip

    def env(self) -> dict[str, str]:
        return {**super().env(), "PAPERFEED_SMTP_TLS": self.mode}


@pytest.fixture
def feed(site: Site) -> Site:
    for n in range(3):
        site.add(id=f"2411.{n:05d}", title=f"Paper {n}", added=f"2024-11-{25 + n}", upvotes=n)
    site.config()
    return site


def send(feed: Site, env: dict[str, str]) -> Result:
    to = feed.root / "subscribers.txt"
    to.write_text("\n".join(SUBSCRIBERS) + "\n", encoding="utf-8")
    args = ["--config-file", str(feed.root / "mkdocs.yml"), "--period", "week",
            "--date", "2024-11-27", "--send", "--to-file", str(to)]  # fmt: skip
    return CliRunner().invoke(digest, args, env=env)


@pytest.fixture(params=["starttls", "ssl"])
def server(request: pytest.FixtureRequest, pki: dict[str, Path]) -> Iterator[TlsSmtpServer]:
    behaviour = Behaviour(user="digest", password=PASSWORD)
    with TlsSmtpServer(request.param, pki["server"], pki["server.key"], behaviour) as smtp:
        yield smtp


def test_a_digest_is_sent_over_tls_to_a_server_of_a_trusted_ca(
    feed: Site, server: TlsSmtpServer, pki: dict[str, Path]
) -> None:
    result = send(feed, {**server.env(), "PAPERFEED_SMTP_CA_FILE": str(pki["ca"])})
    assert result.exit_code == 0, result.output
    assert "week:2024-W48: 2 sent" in result.output
    assert server.recipients() == SUBSCRIBERS
    # the server takes a login over TLS only: this one came through the encrypted channel
    assert server.logins == [("digest", PASSWORD)]
    assert server.received[0].message["Subject"].startswith("Lab Feed: top papers of week 48")


@pytest.mark.parametrize(
    ("ca", "cert", "why"),
    [
        (None, "server", "unable to get local issuer certificate"),
        ("other-ca", "server", "unable to get local issuer certificate"),
        ("ca", "wrong-name", "IP address mismatch"),
    ],
    ids=["system CAs", "another CA", "another host's certificate"],
)
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_a_certificate_the_client_does_not_trust_is_refused(
    feed: Site, pki: dict[str, Path], mode: str, ca: str | None, cert: str, why: str
) -> None:
    behaviour = Behaviour(user="digest", password=PASSWORD)
    with TlsSmtpServer(mode, pki[cert], pki[f"{cert}.key"], behaviour) as smtp:
        env = smtp.env()
        if ca:
            env["PAPERFEED_SMTP_CA_FILE"] = str(pki[ca])
        result = send(feed, env)
    assert result.exit_code == 1
    assert f"the certificate of 127.0.0.1:{smtp.port} is not trusted ({why}" in result.output
    assert "set PAPERFEED_SMTP_CA_FILE to its certificate" in result.output
    assert "Traceback" not in result.output and PASSWORD not in result.output
    # refused before a login or a message: nothing reached the server
    assert smtp.logins == [] and smtp.received == []
    # and the run can be repeated once fixed: nobody is left marked as being sent to
    state = SendState(feed.root / "digest-state.json")
    assert [state.status("week:2024-W48", a) for a in SUBSCRIBERS] == [None, None]


def test_a_plain_server_is_refused_when_starttls_is_asked(feed: Site) -> None:
    with SmtpServer() as plain:
        result = send(feed, {**plain.env(), "PAPERFEED_SMTP_TLS": "starttls"})
    assert result.exit_code == 1
    assert "cannot do that" in result.output and "check PAPERFEED_SMTP_TLS" in result.output
    assert plain.received == []


@pytest.mark.parametrize(
    ("value", "tls", "wanted"),
    [
        ("{missing}", "starttls", "CA_FILE '{missing}' cannot be used (No such file or directory)"),
        ("{not_pem}", "ssl", "CA_FILE '{not_pem}' cannot be used (no PEM certificate in it)"),
        ("{ca}", "none", "CA_FILE is set but PAPERFEED_SMTP_TLS is none: use starttls or ssl"),
    ],
)
def test_a_bad_ca_file_is_named(
    tmp_path: Path, pki: dict[str, Path], value: str, tls: str, wanted: str
) -> None:
    names = {"missing": tmp_path / "no.pem", "not_pem": pki["server.ext"], "ca": pki["ca"]}
    env = {
        "PAPERFEED_SMTP_HOST": "smtp.example.org",
        "PAPERFEED_SMTP_FROM": "d@example.org",
        "PAPERFEED_SMTP_TLS": tls,
        "PAPERFEED_SMTP_CA_FILE": value.format(**names),
    }
    with pytest.raises(SendError) as raised:
        SmtpSettings.from_env(env)
    assert wanted.format(**names) in str(raised.value)
