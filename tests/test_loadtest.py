"""The load test's pieces: its statistics, its mix of users, its signed-in sessions, and a
few seconds of simulated users against a live server."""

import os

import pytest

from tafcase import loadgen
from tafcase.accounts.models import Role
from tafcase.management.commands.loadtest import _signed_in_cookie


def test_percentile_is_the_nearest_rank():
    samples = list(range(20, 0, -1))  # order does not matter
    assert loadgen.percentile(samples, 95) == 19
    assert loadgen.percentile(range(1, 101), 95) == 95
    assert loadgen.percentile(range(1, 101), 50) == 50
    assert loadgen.percentile([7.5], 95) == 7.5
    with pytest.raises(ValueError):
        loadgen.percentile([], 95)


def test_stats_count_errors_by_status_and_per_page():
    stats = loadgen.Stats()
    for ms in range(1, 21):
        stats.record("family", float(ms), 200)
    stats.record("family", 900.0, 500)
    stats.record("caseload", 10.0, 302)  # a redirect is not an error
    stats.record("caseload", 30.0, 302, failure="302 to sign-in")
    stats.record("caseload", 60_000.0, "ConnectTimeout")
    stats.record("note_save", 40.0, 200, failure="200 (expected 302)")

    summary = stats.summary(elapsed_s=5.0)

    family = summary["pages"]["family"]
    assert family["count"] == 21
    assert family["median_ms"] == 11.0
    assert family["p95_ms"] == 20.0  # the 20th of 21 samples
    assert family["errors"] == 1
    assert family["statuses"] == {"200": 20, "500": 1}
    assert summary["pages"]["caseload"]["errors"] == 2
    assert summary["requests"] == 25
    assert summary["throughput_rps"] == 5.0
    assert summary["errors"] == 4
    assert summary["errors_by_status"] == {
        "200 (expected 302)": 1,
        "302 to sign-in": 1,
        "500": 1,
        "ConnectTimeout": 1,
    }


def test_memory_growth_is_also_judged_after_warm_up():
    samples = [{"total_mb": 500.0}, {"total_mb": 700.0}, {"total_mb": 705.0}, {"total_mb": 710.0}]
    assert loadgen.memory_growth(samples) == {"over_run_mb": 210.0, "after_warm_up_mb": 10.0}


def test_tree_rss_counts_this_process_and_nothing_for_a_gone_one():
    assert loadgen.tree_rss(os.getpid()) > 10 * 2**20
    assert loadgen.tree_rss(2**22 + 1) == 0  # above Linux's highest process id


@pytest.mark.parametrize("users", [1, 2, 10, 50])
def test_role_mix_has_one_analyst_and_adds_up(users):
    mix = loadgen.role_mix(users)
    assert mix["analyst"] == 1
    assert sum(mix.values()) == users
    assert all(count >= 0 for count in mix.values())


def test_role_mix_of_fifty_is_mostly_front_line():
    assert loadgen.role_mix(50) == {
        "key_worker": 24,
        "partner": 15,
        "coordinator": 10,
        "analyst": 1,
    }


def test_signed_in_cookie_opens_a_page(client, key_worker):
    for name, value in _signed_in_cookie(key_worker).items():
        client.cookies[name] = value
    assert client.get("/families/").status_code == 200


def test_simulated_users_browse_a_live_server(live_server, make_user):
    """Two signed-in users for two seconds get no errors; a user with a made-up session is
    sent to sign in, which is counted as an error."""
    users = [
        loadgen.SimUser("key_worker", "kw", _signed_in_cookie(make_user(Role.KEY_WORKER))),
        loadgen.SimUser("coordinator", "co", _signed_in_cookie(make_user(Role.COORDINATOR))),
        loadgen.SimUser("partner", "nobody", {"sessionid": "not-a-session"}),
    ]
    result = loadgen.run_load(live_server.url, users, duration=2, think=(0.0, 0.05))

    pages = result["pages"]
    assert {"caseload", "nominations", "casework", "search", "shared_families"} <= set(pages)
    assert pages["shared_families"]["errors"] == pages["shared_families"]["count"] > 0
    assert result["errors"] == pages["shared_families"]["errors"] + pages["search"]["errors"]
    assert set(result["errors_by_status"]) == {"302 to sign-in"}
    assert pages["casework"]["errors"] == pages["nominations"]["errors"] == 0


def test_signed_in_cookie_counts_as_two_factor_for_the_programme_team(client, make_user, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tafcase import settings as project_settings

    settings.TWO_FACTOR_REQUIRED_ROLES = project_settings.TWO_FACTOR_REQUIRED_ROLES
    coordinator = make_user(Role.COORDINATOR)
    TOTPDevice.objects.create(user=coordinator, name="Authenticator app", confirmed=True)
    for name, value in _signed_in_cookie(coordinator).items():
        client.cookies[name] = value
    assert client.get("/families/").status_code == 200
