"""`make run`'s supervisor, driven with cheap stand-in commands instead of the real servers."""

import io
import re
import subprocess
import sys
import time

import pytest

from tafcase import run

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def supervisor():
    table = {"web": SLEEPER, "worker": SLEEPER, "beat": SLEEPER}
    supervisor = run.Supervisor(table, first_backoff=0.05, max_backoff=0.4, stderr=io.StringIO())
    supervisor.start()
    yield supervisor
    supervisor.stop(timeout=5)


def _check_until(supervisor, done, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ended = supervisor.check()
        if done():
            return ended
        time.sleep(0.02)
    raise AssertionError("the supervisor did not get there in time")


def _pids(supervisor):
    return {name: child.process.pid for name, child in supervisor.children.items()}


def test_a_worker_that_dies_is_restarted_and_the_others_keep_running(supervisor):
    before = _pids(supervisor)
    supervisor.children["worker"].process.kill()

    ended = _check_until(supervisor, lambda: _pids(supervisor)["worker"] != before["worker"])

    assert ended is None
    after = _pids(supervisor)
    assert after["web"] == before["web"]
    assert after["beat"] == before["beat"]
    assert all(c.process.poll() is None for c in supervisor.children.values())
    message = supervisor.stderr.getvalue()
    assert "worker exited with code -9; restarting in 0.05s." in message
    assert "Restarting worker." in message


def test_the_back_off_doubles_while_a_command_keeps_dying_up_to_the_limit(supervisor):
    worker = supervisor.children["worker"]
    for _ in range(5):
        pid = worker.process.pid
        worker.process.kill()
        _check_until(supervisor, lambda pid=pid: worker.process.pid != pid)

    delays = re.findall(
        r"worker exited with code -9; restarting in ([\d.]+)s", supervisor.stderr.getvalue()
    )
    assert [float(d) for d in delays] == [0.05, 0.1, 0.2, 0.4, 0.4]


def test_the_web_server_dying_ends_supervision_and_leaves_the_rest_to_stop(supervisor):
    supervisor.children["web"].process.kill()

    deadline = time.monotonic() + 10
    while (ended := supervisor.check()) is None and time.monotonic() < deadline:
        time.sleep(0.02)

    assert ended == "web"
    assert "web exited with code -9; stopping everything." in supervisor.stderr.getvalue()
    supervisor.stop(timeout=5)
    assert all(c.process.poll() is not None for c in supervisor.children.values())


def test_the_access_log_leaves_query_strings_out():
    web = run.commands("8000")["web"]
    log_format = web[web.index("--access-logformat") + 1]

    assert log_format == run.ACCESS_LOG_FORMAT
    assert "%(U)s" in log_format
    for directive in ("%(q)s", "%(r)s", "%(f)s", "%({query_string}e)s"):
        assert directive not in log_format


def test_stop_processes_ends_what_is_running_and_leaves_what_has_ended():
    sleeping = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    run.stop_processes([sleeping, done], timeout=5)
    assert sleeping.poll() is not None and done.returncode == 0
