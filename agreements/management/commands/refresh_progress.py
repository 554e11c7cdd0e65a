"""Store again where the chains stand whose documents ended by their date since a day.

A text signed or in force shows as expired from the day after its expiry, with no write; what
its chain stores (the next step, whom it waits on) must follow: a PKS past its term lends no
step to its MoU any more (``progress_of_chain``). The chains of texts whose extension step is
still open though their extension is signed, written before the register recorded such a step
itself (``AgreementQuerySet.awaiting_extension_record``), are stored again too, which records
it. Run daily from cron, before the reminders. Safe to run again: only what changed is written.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agreements.models import Agreement
from common.commands import iso_day


class Command(BaseCommand):
    help = (
        "Simpan lagi tahap berikutnya dan pihak yang ditunggu dari rantai kerja sama yang "
        "naskahnya berakhir menurut tanggalnya sejak kemarin (jalankan tiap hari, sebelum "
        "send_reminders)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=iso_day,
            help=(
                "Rantai yang naskahnya berakhir pada tanggal ini (YYYY-MM-DD) atau sesudahnya; "
                "bawaan: kemarin."
            ),
        )

    def handle(self, *args, since=None, **options):
        today = timezone.localdate()
        yesterday = today - datetime.timedelta(days=1)
        since = since or yesterday
        with transaction.atomic():
            lapsed = Agreement.objects.lapsed_between(since, yesterday)
            awaiting = Agreement.objects.awaiting_extension_record()
            changed = (lapsed | awaiting).refresh_progress(today)
        self.stdout.write(
            f"{changed} kerja sama diperbarui dari rantai naskah yang berakhir sejak {since}."
        )
