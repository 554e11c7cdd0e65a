"""docs/deploying.md's environment file and daily cron line, run as written.

The file is read by the shell (``set -a; . /etc/coopdb/env``) and by systemd; the cron line
must reach its command under ``sh`` (cron's shell) and ``bash`` alike. The file and the line
are taken from the guide itself, so the guide cannot drift from what works.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
GUIDE = (BASE_DIR / "docs" / "deploying.md").read_text()
ENV_PATH = "/etc/coopdb/env"
APP_DIR = "/srv/coopdb/app"

# Stands in for manage.py in a copy of the app folder: says what it was asked to run, and with
# which of the file's variables.
PROBE = """import json, os, sys
names = ["DEBUG", "ALLOWED_HOSTS", "HTTPS", "DATABASE_URL", "DEFAULT_FROM_EMAIL", "SITE_URL"]
print(json.dumps({"argv": sys.argv[1:], "env": {name: os.environ.get(name) for name in names}}))
"""


def code_blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE, re.MULTILINE | re.DOTALL)


def documented_env_file():
    [block] = [block for block in code_blocks("sh") if block.startswith("DEBUG=")]
    return block


def documented_cron_lines():
    """{command: (hour, minute, the line's command)} of the guide's crontab."""
    lines = {}
    for block in code_blocks("cron"):
        for line in block.splitlines():
            if line.strip() and not line.startswith("#"):
                minute, hour, _day, _month, _weekday, command = line.split(None, 5)
                lines[command.rsplit(None, 1)[-1]] = (int(hour), int(minute), command)
    return lines


def documented_cron_command(name="send_reminders"):
    return documented_cron_lines()[name][2]


def variables(env_file):
    return dict(
        line.split("=", 1) for line in env_file.splitlines() if line and not line.startswith("#")
    )


def test_the_crontab_stores_the_days_progress_before_the_mails_read_it():
    lines = documented_cron_lines()
    assert list(lines) == ["refresh_progress", "send_reminders", "send_follow_digests"]
    assert lines["refresh_progress"][:2] < lines["send_reminders"][:2]
    assert lines["refresh_progress"][:2] < lines["send_follow_digests"][:2]


@pytest.mark.parametrize("name", ["refresh_progress", "send_reminders", "send_follow_digests"])
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_documented_cron_line_runs_its_command_with_the_documented_file(tmp_path, shell, name):
    env_file = tmp_path / "env"
    env_file.write_text(documented_env_file())
    app = tmp_path / "app"
    (app / ".venv").mkdir(parents=True)
    # The environment running these tests stands in for the app's .venv, whatever its name.
    (app / ".venv" / "bin").symlink_to(Path(sys.executable).parent)
    (app / "manage.py").write_text(PROBE)
    command = documented_cron_command(name).replace(ENV_PATH, str(env_file))
    command = command.replace(APP_DIR, str(app))

    # cron starts its shell with almost nothing set.
    result = subprocess.run(
        [shell, "-c", command],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    ran = json.loads(result.stdout)
    assert ran["argv"] == [name]
    assert ran["env"]["DEFAULT_FROM_EMAIL"] == "Biro Kerja Sama <kerjasama@example.go.id>"
    assert ran["env"]["HTTPS"] == "true"
    assert ran["env"]["DATABASE_URL"].startswith("postgres://coopdb:")


def test_the_documented_file_sets_what_the_variables_table_says(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text(documented_env_file())
    result = subprocess.run(
        ["sh", "-c", f"set -a; . {env_file}; set +a; env"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    exported = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for name, value in variables(documented_env_file()).items():
        # The shell reads the value as systemd's EnvironmentFile does: quotes removed.
        assert exported[name] == value.strip('"'), name


def test_gunicorn_listens_only_where_the_proxy_reaches_it_and_trusts_only_its_headers():
    """A forged X-Forwarded-For sent straight to gunicorn must get nowhere: as shipped and as
    documented, gunicorn listens on the loopback address behind nginx, and forwarded headers are
    believed from the proxy's address alone (gunicorn's and the app's own list alike)."""
    script = (
        "import json, runpy; config = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({name: config[name] for name in ('bind', 'forwarded_allow_ips')}))"
    )
    shipped = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(shipped.stdout) == {
        "bind": "127.0.0.1:8000",
        "forwarded_allow_ips": "127.0.0.1",
    }

    documented = variables(documented_env_file())
    assert documented.get("GUNICORN_BIND", "127.0.0.1:8000").startswith("127.0.0.1:")
    assert documented["TRUSTED_PROXY_ADDRESSES"] == "127.0.0.1"
    assert "Only the proxy may reach it" in GUIDE


def test_the_readmes_cron_lines_read_the_file_and_folder_this_guide_sets_up():
    """The README's crontab is this guide's: each line enters the app's folder and reads the
    environment file where this guide puts them (a line reading another file would run its
    command with no production settings), at the guide's time."""
    readme = (BASE_DIR / "README.md").read_text()
    readme_lines = [
        line.split(None, 5)[5]
        for line in re.findall(r"^\d+ \d+ \* \* \* .*$", readme, re.MULTILINE)
    ]
    assert [line.rsplit(None, 1)[-1] for line in readme_lines] == [
        "refresh_progress",
        "send_reminders",
        "send_follow_digests",
    ]
    assert readme_lines == [command for _hour, _minute, command in documented_cron_lines().values()]
    readme_times = re.findall(r"^(\d+) (\d+) \* \* \* ", readme, re.MULTILINE)
    assert [(int(hour), int(minute)) for minute, hour in readme_times] == [
        (hour, minute) for hour, minute, _command in documented_cron_lines().values()
    ]


def test_the_documented_proxy_lets_through_every_file_the_app_takes():
    """nginx answers a body past ``client_max_body_size`` with its own bare 413 page: the
    largest import file and the largest document must pass it, so that the app, not nginx,
    refuses a larger one in its own words."""
    from django.conf import settings

    from agreements.admin_import import MAX_UPLOAD_BYTES

    [size] = re.findall(r"^\s*client_max_body_size (\d+)m;", GUIDE, re.MULTILINE)
    for largest in (MAX_UPLOAD_BYTES, settings.DOCUMENT_MAX_BYTES):
        assert int(size) * 1024 * 1024 > largest
