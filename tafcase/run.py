"""`make run`: set up and run the whole system on this machine.

Starts the embedded PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL name servers),
migrates, loads the demo data once, then runs the web server, a Celery worker and beat
until Ctrl-C, which stops every process this command started.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TextIO

from tafcase import embedded

PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)


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


def _stop_processes(processes: list[subprocess.Popen]) -> None:
    """Ask every process still running to stop, then kill any that take over 20 seconds."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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
        *(["--access-logfile", "-"] if access_log else []),
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

    processes: list[subprocess.Popen] = []
    try:
        manage("migrate", "--no-input", "-v", "0")
        manage("seed_demo", "--if-empty")
        commands = {
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
        for args in commands.values():
            processes.append(subprocess.Popen(args, env=env))
        _say(f"\n  tafcase is running at http://127.0.0.1:{port}/  (Ctrl-C stops it)\n")
        manage("seed_demo", "--print-logins")
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        failed = [name for name, p in zip(commands, processes, strict=True) if p.poll()]
        _say(f"Stopping: {', '.join(failed) or 'a process'} exited.", sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        _stop_processes(processes)
        for stop in started_services:
            stop()
        _say("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
