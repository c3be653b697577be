"""`make run`: set up and run the whole system on this machine.

Starts the embedded PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL name servers),
migrates, loads the demo data once, then supervises the web server, a Celery worker and
beat until Ctrl-C, which stops every process this command started.

A worker or beat that dies is started again after a back-off, without touching the web
server. If the web server itself dies everything stops and the command exits non-zero:
gunicorn's master already replaces its own dead workers, so the master exiting means
something a restart would not mend (the port is taken, the code does not import) and
starting it again in a loop would only hide the message that says why.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from tafcase import embedded

PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)

# Path without the query string (%(U)s, not %(r)s or %(q)s): searches carry names,
# dates of birth and postcodes in the query, and those must never reach a log file.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0


def _say(message: str, stream: TextIO | None = None) -> None:
    """Write a line at once: the child processes share the terminal and write too."""
    stream = stream or sys.stdout
    stream.write(message + "\n")
    stream.flush()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _start_servers(env: dict[str, str]) -> list[Callable[[], None]]:
    """Start the embedded PostgreSQL and Redis unless `env` names servers, and put their
    URLs in `env`; returns how to stop the ones this call started."""
    started_services = []
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"], started = embedded.ensure_postgres()
        if started:
            started_services.append(embedded.stop_postgres)
    if not env.get("REDIS_URL"):
        env["REDIS_URL"], started = embedded.ensure_redis()
        if started:
            started_services.append(embedded.stop_redis)
    return started_services


def commands(port: str) -> dict[str, list[str]]:
    """What `make run` supervises, by name; "web" is the one whose death stops the rest."""
    return {
        "web": web_command(port),
        "worker": worker_command(),
        "beat": [
            f"{BIN}/celery",
            "-A",
            "tafcase",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(embedded.VAR / "celerybeat-schedule"),
        ],
    }


@dataclass
class Child:
    name: str
    args: Sequence[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restart_at: float | None = None


class Supervisor:
    """Runs a table of commands; restarts any that exit, except `essential` ones, whose
    exit ends supervision. Call `start()`, then `check()` every so often, then `stop()`.

    The back-off doubles from `first_backoff` to `max_backoff` while a command keeps dying,
    and goes back to `first_backoff` once it has stayed up for `max_backoff` seconds.
    """

    def __init__(
        self,
        table: Mapping[str, Sequence[str]],
        *,
        env: Mapping[str, str] | None = None,
        essential: frozenset[str] = frozenset({"web"}),
        first_backoff: float = FIRST_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        stderr: TextIO | None = None,
    ) -> None:
        self.children = {
            name: Child(name, args, backoff=first_backoff) for name, args in table.items()
        }
        self.env = dict(env) if env is not None else None
        self.essential = essential
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.stderr = stderr or sys.stderr

    def start(self) -> None:
        for child in self.children.values():
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.args, env=self.env)
        child.started_at = time.monotonic()
        child.restart_at = None

    def check(self) -> str | None:
        """Restart what is due and note what has died. Returns the name of an essential
        command that has exited (supervision should end), else None."""
        now = time.monotonic()
        for child in self.children.values():
            if child.restart_at is not None:
                if now >= child.restart_at:
                    _say(f"Restarting {child.name}.", self.stderr)
                    self._spawn(child)
                continue
            assert child.process is not None
            code = child.process.poll()
            if code is None:
                continue
            if child.name in self.essential:
                _say(f"{child.name} exited with code {code}; stopping everything.", self.stderr)
                return child.name
            if now - child.started_at >= self.max_backoff:
                child.backoff = self.first_backoff
            _say(
                f"{child.name} exited with code {code}; restarting in {child.backoff:g}s.",
                self.stderr,
            )
            child.restart_at = now + child.backoff
            child.backoff = min(child.backoff * 2, self.max_backoff)
        return None

    def stop(self, timeout: float = 20) -> None:
        """Ask every command still running to stop, then kill any that take too long."""
        stop_processes([c.process for c in self.children.values() if c.process], timeout)


def stop_processes(processes: Sequence[subprocess.Popen], timeout: float = 20) -> None:
    """Ask each process still running to stop, then kill any that take too long."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def web_command(port: int | str, *, access_log: bool = True) -> list[str]:
    """The gunicorn command line; the load test (tafcase.loadgen) runs the same one."""
    return [
        f"{BIN}/gunicorn",
        "tafcase.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        # Longer than a person pauses between clicks: with gunicorn's 2 s default, the
        # server closes idle connections just as browsers reuse them.
        "--keep-alive",
        "5",
        *(["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT] if access_log else []),
    ]


def worker_command(*extra: str) -> list[str]:
    """The Celery worker command line; the load test runs the same one."""
    return [
        f"{BIN}/celery",
        "-A",
        "tafcase",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        *extra,
    ]


def main() -> int:
    # Ctrl-C and a plain `kill` both stop everything this command started.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    started_services = _start_servers(env)

    def manage(*args: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], env=env, check=True)

    supervisor = Supervisor(commands(port), env=env)
    try:
        manage("migrate", "--no-input", "-v", "0")
        manage("seed_demo", "--if-empty")
        supervisor.start()
        _say(f"\n  tafcase is running at http://127.0.0.1:{port}/  (Ctrl-C stops it)\n")
        manage("seed_demo", "--print-logins")
        while supervisor.check() is None:
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop()
        for stop in started_services:
            stop()
        _say("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
