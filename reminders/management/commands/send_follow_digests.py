"""Mail each reader what changed in the selections they follow: daily or weekly, as each chose.

Run from cron (daily; weekly subscriptions are sent when their week has passed). Safe to run
again and to run twice at once: each change goes out once, and a failed send is retried by the
next run.
"""

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.commands import iso_moment
from reminders import follow


class Command(BaseCommand):
    help = "Kirim ringkasan perubahan pilihan yang diikuti pembaca (harian atau mingguan)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=iso_moment,
            help="Anggap sekarang waktu ini (YYYY-MM-DDTHH:MM), untuk pengujian.",
        )

    def handle(self, *args, now=None, **options):
        now = now or timezone.now()
        sent, covered, failed, unreadable = follow.send_due(now, mail.get_connection())
        self.stdout.write(f"{now.isoformat()}: {sent} surel terkirim, {covered} pilihan.")
        if unreadable:
            # Said where the one who runs the command reads it (the cron mail): a region
            # removed or a parameter refused since stops the digests of every follow naming it.
            ids = ", ".join(str(pk) for pk in unreadable)
            self.stdout.write(
                f"{len(unreadable)} pilihan tidak dikirim karena tidak lagi dapat dibaca daftar "
                f"(nomor {ids}); pembacanya diberi tahu alasannya di /ikuti/."
            )
        if failed:
            raise CommandError(
                f"{len(failed)} ringkasan gagal dikirim; dikirim lagi pada jalannya perintah "
                "berikutnya."
            )
