"""A throwaway OpenLDAP server from the Debian ``slapd`` package, for the directory login.

Listens on a free loopback port only, keeps its database (mdb) in a temporary folder and runs in
the foreground (``-d 0``) as a child of the tests, so stopping it is ending that one process.
The ``memberof`` overlay keeps ``memberOf`` on the users (as Active Directory does), which is why
the entries are added online with ``ldapadd`` rather than offline with ``slapadd``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = Path("/usr/sbin/slapd")
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
BASIS = "dc=kreis,dc=example"
ROOT_DN = f"cn=admin,{BASIS}"
ROOT_PASSWORT = "wurzel-geheim-123"
DIENST_DN = f"cn=sozialforum,ou=dienste,{BASIS}"
DIENST_PASSWORT = "dienst-geheim-456"


def ssha(password: str) -> str:
    """An OpenLDAP ``{SSHA}`` hash (salted SHA-1), as slappasswd writes it."""
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available() -> str | None:
    """Why no server can be started here, or None."""
    if not SLAPD.exists():
        return "slapd not installed (Debian packages slapd, ldap-utils)"
    if shutil.which("openssl") is None:
        return "openssl not installed (for the server's test certificate)"
    if shutil.which("ldapadd") is None:
        return "ldapadd not installed (Debian package ldap-utils)"
    if not (MODULES / "back_mdb.so").exists() or not (MODULES / "memberof.so").exists():
        return f"slapd modules back_mdb/memberof not found in {MODULES}"
    return None


_CONF = """\
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/nis.schema
include {schema}/inetorgperson.schema
modulepath {modules}
moduleload back_mdb
moduleload memberof
pidfile {base}/slapd.pid
argsfile {base}/slapd.args
# ldaps:// and STARTTLS with a certificate for the name "localhost" only (not for 127.0.0.1),
# signed by a throwaway certificate authority: a client that checks names and trust must use
# ldaps://localhost and that authority's certificate.
TLSCACertificateFile {base}/ca.pem
TLSCertificateFile {base}/server.pem
TLSCertificateKeyFile {base}/server.key

database mdb
maxsize 10485760
suffix "{basis}"
rootdn "{root_dn}"
rootpw {root_pw}
directory {base}/db
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint true
# Passwords: compared at bind, never read. Entries: read by bound users (the service account),
# nothing for anonymous connections beyond binding.
access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
access to *
    by users read
    by anonymous auth
    by * none
"""


@dataclass
class Slapd:
    base: Path
    port: int
    tls_port: int
    process: subprocess.Popen[bytes] | None = None
    eintraege: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://localhost:{self.tls_port}"

    @property
    def ca_datei(self) -> Path:
        return self.base / "ca.pem"

    def _zertifikate(self) -> None:
        """A throwaway certificate authority and a server certificate for "localhost" only."""

        def openssl(*args: str) -> None:
            subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=self.base)

        new_key = ("-newkey", "rsa:2048", "-nodes", "-days", "2")
        openssl("req", "-x509", *new_key, "-subj", "/CN=Test-CA", "-keyout", "ca.key", "-out", "ca.pem")
        openssl("req", *new_key[:3], "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr")
        (self.base / "san.ext").write_text("subjectAltName = DNS:localhost\n")
        openssl(
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.pem",
        )  # fmt: skip

    def start(self) -> None:
        (self.base / "db").mkdir(parents=True)
        self._zertifikate()
        conf = self.base / "slapd.conf"
        conf.write_text(
            _CONF.format(
                schema=SCHEMA,
                modules=MODULES,
                base=self.base,
                basis=BASIS,
                root_dn=ROOT_DN,
                root_pw=ssha(ROOT_PASSWORT),
            )
        )
        log = (self.base / "slapd.log").open("wb")
        self.process = subprocess.Popen(
            [str(SLAPD), "-d", "0", "-f", str(conf), "-h", f"{self.url}/ ldaps://127.0.0.1:{self.tls_port}/"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd ended at start: {(self.base / 'slapd.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("slapd did not listen within 20 s") from None
                time.sleep(0.05)

    def add(self, ldif: str) -> None:
        """Add entries (LDIF) as the root DN, online, so the memberof overlay sees them."""
        subprocess.run(
            ["ldapadd", "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORT],
            input=ldif.encode(),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


def start_slapd() -> Slapd:
    server = Slapd(base=Path(tempfile.mkdtemp(prefix="sozialforum-slapd-")), port=free_port(), tls_port=free_port())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
