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
