"""Mail each editor the day's digest of expiring agreements and due or overdue milestones.

Run daily from cron. Safe to run again: what was sent is not sent twice, and what failed to send
is sent by the next run.

``--today`` a day still to come is refused unless with ``--dry-run``: a run records each notice
it sends as told, so a 30- or 90-day notice sent ahead of its day would not be sent on it.
"""

import logging

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from common.commands import iso_day
from reminders import digest as digests

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Kirim surel pengingat harian kepada editor: kerja sama di daerahnya yang berakhir dalam "
        "180, 90 dan 30 hari, serta tahapan yang jatuh tempo dalam 14 hari atau terlambat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=iso_day,
            help=(
                "Anggap hari ini tanggal ini (YYYY-MM-DD), untuk pengujian. Hari yang belum tiba "
                "hanya dengan --dry-run: pemberitahuan yang dikirim dicatat terkirim, dan tidak "
                "dikirim lagi pada harinya."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Tampilkan apa yang akan dikirim tanpa mengirim atau mencatat apa pun.",
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        actual = timezone.localdate()
        today = today or actual
        if today > actual and not dry_run:
            # Each notice sent is recorded as told: told ahead of its day, it is not told on it.
            raise CommandError(
                f"--today {today.isoformat()} belum tiba (hari ini {actual.isoformat()}): "
                "pemberitahuan yang dikirim untuk hari itu dicatat terkirim dan tidak dikirim "
                "lagi pada harinya. Tambahkan --dry-run untuk melihat apa yang akan dikirim."
            )
        connection = None if dry_run else mail.get_connection()
        sent_mails = sent_notices = 0
        failed = []
        for user in digests.recipients():
            if dry_run:
                digest = digests.plan(user, today)
                if len(digest):
                    self.stdout.write(
                        f"{user.email}: {len(digest)} pemberitahuan "
                        f"({digest.language}): {digests.message(digest).subject}"
                    )
                continue
            with transaction.atomic():
                # Planned under the claim, so nothing another run has sent is sent again.
                if not digests.claim(user):
                    continue  # another run is sending this editor's digest
                digest = digests.plan(user, today)
                try:
                    count = digests.send(digest, connection)
                except (OSError, digests.NotAccepted):
                    # The notices stay pending; the next run sends them.
                    logger.warning("Pengingat untuk %s gagal dikirim", user.email, exc_info=True)
                    failed.append(user.email)
                    continue
            if count:
                sent_mails += 1
                sent_notices += count
        if dry_run:
            return
        self.stdout.write(
            f"{today.isoformat()}: {sent_mails} surel terkirim, {sent_notices} pemberitahuan."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} surel gagal dikirim ({', '.join(failed)}); "
                "pemberitahuannya tetap tertunda dan dikirim pada jalannya perintah berikutnya."
            )
