"""A throwaway PostgreSQL server in a temporary directory, started from the Debian binaries
(`apt-get install postgresql`, which puts `initdb` and `pg_ctl` under
`/usr/lib/postgresql/<version>/bin`): for the tests and `make bench-scale`.

It listens on a free loopback port (password login, as a real server would ask) and on a unix
socket in its directory (the owner's login, without a password); as root it runs as the
`postgres` user the package creates, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from .testing import free_port

USER = "ofapi"
PASSWORD = "ofapi-secret"
FAST = ("fsync=off", "full_page_writes=off", "synchronous_commit=off")  # tests: nothing here must survive a crash


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin directory (with initdb and pg_ctl), or None."""
    found = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if Path(d, "initdb").exists()]
    found.sort(key=lambda d: [int(n) for n in re.findall(r"\d+", d.parent.name)] or [0])
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and Path(initdb).with_name("pg_ctl").exists() else None


def missing() -> str | None:
    """Why a temporary server cannot be started here (None: it can)."""
    if binaries() is None:
        return "PostgreSQL is not installed (apt-get install -y postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run PostgreSQL as"
    return None


class TemporaryPostgres:
    def __init__(self, settings: tuple[str, ...] = FAST):
        self.settings = settings
        self.bin = binaries()
        self.port = 0
        self.dir: Path | None = None

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {(done.stdout + done.stderr).strip()[-2000:]}")

    def start(self) -> TemporaryPostgres:
        reason = missing()
        if reason:
            raise RuntimeError(reason)
        self.dir = Path(tempfile.mkdtemp(prefix="ofapi-pg-"))
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.dir, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        data = self.dir / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}", "-E", "UTF8", "--no-locale",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        )  # fmt: skip
        self.port = free_port()
        options = [f"-p {self.port}", f"-k {self.dir}", "-c listen_addresses=127.0.0.1", "-c max_connections=200"]
        options += [f"-c {s}" for s in self.settings]
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-t", "60",
            "-o", " ".join(options), "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def url(self, dbname: str = "postgres", user: str = USER, password: str = PASSWORD, **params: str) -> str:
        """A `postgresql://` URL over TCP with a password, as a user would name a store."""
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        return f"postgresql://{user}:{quote(password, safe='')}@127.0.0.1:{self.port}/{dbname}" + (
            f"?{query}" if query else ""
        )

    def execute(self, sql: str, dbname: str = "postgres") -> list:
        """Run one statement as the superuser, over the socket (autocommit: CREATE DATABASE works)."""
        import psycopg

        with psycopg.connect(host=str(self.dir), port=self.port, user=USER, dbname=dbname, autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def create_database(self, name: str) -> str:
        """A new, empty database: its URL."""
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
