"""Fault tests: what happens when processes race and servers fail, on a real PostgreSQL.

They need PostgreSQL's own behaviour (row locks, a server that can be stopped), so they are
marked ``postgresql`` and, on SQLite, deselected by ``conftest.py`` with the reason printed;
``.ci/run`` checks that its PostgreSQL pass ran them.
"""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from access.models import RegionAssignment, Role
from reminders.models import Notice
from tests.factories import AgreementFactory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2025, 3, 3)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def database_url():
    """The test database, for processes of their own."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def manage(*args, **env):
    """``manage.py args`` started in a process of its own, on the test database."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_reminder_runs_send_each_notice_exactly_once(django_user_model, kaltim):
    editors = []
    for n in range(8):
        user = django_user_model.objects.create_user(
            username=f"editor{n}", email=f"editor{n}@example.invalid"
        )
        user.groups.add(Group.objects.get_or_create(name=Role.EDITOR)[0])
        RegionAssignment.objects.create(user=user, region=kaltim)
        editors.append(user)
    AgreementFactory(lead_region=kaltim, expires_on=TODAY + datetime.timedelta(days=80))

    runs = [
        manage(
            "send_reminders",
            "--today",
            TODAY.isoformat(),
            EMAIL_BACKEND="tests.mail_backends.SlowConsoleBackend",
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err
    sent_to = re.findall(r"^To: (\S+)$", "".join(out for out, _err in outputs), re.MULTILINE)
    assert sorted(sent_to) == sorted(user.email for user in editors)
    assert Notice.objects.sent().count() == len(editors)
    assert not Notice.objects.pending().exists()


def test_a_restore_in_place_followed_by_an_edit_serves_no_stale_page(client, kaltim, tmp_path):
    from django.urls import reverse

    from agreements.models import Agreement

    AgreementFactory(title="Festival budaya", lead_region=kaltim)
    hidden = AgreementFactory(
        title="Eksplorasi tambang rahasia",
        lead_region=kaltim,
        visibility=Agreement.Visibility.INTERNAL,
    )
    db = connection.settings_dict
    target = ["-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d", db["NAME"]]
    backup = tmp_path / "coopdb.dump"
    subprocess.run(["pg_dump", "-Fc", *target, "-f", str(backup)], check=True, timeout=120)

    # Published after the backup; anonymous readers see it, and the page is kept.
    Agreement.objects.filter(pk=hidden.pk).update(visibility=Agreement.Visibility.PUBLIC)
    assert "Eksplorasi tambang rahasia" in client.get(reverse("agreement-list")).content.decode()

    # The backup restored in place: internal again, and the change counters back where they were.
    connection.close()
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *target, str(backup)],
        check=True,
        timeout=120,
    )
    assert Agreement.objects.get(pk=hidden.pk).visibility == Agreement.Visibility.INTERNAL
    # One edit moves the counters on by as much as the publication did.
    Agreement.objects.filter(title="Festival budaya").update(summary="Diperbarui")

    page = client.get(reverse("agreement-list")).content.decode()
    assert "Festival budaya" in page
    assert "Eksplorasi tambang rahasia" not in page
