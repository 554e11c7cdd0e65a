"""List the agreements whose recorded status contradicts their dates or steps.

Rows written before the register refused such a status (recorded as expired while the term
runs or with no expiry; still signed or in force with the termination recorded as done) keep
it: the register does not rewrite official records by itself. Run after an upgrade, or any
time: it prints each such agreement with what contradicts, in the words the admin form uses,
and exits with status 1 while there are any, 0 when there are none. The bureau mends them in
the admin, where the list's "Pemeriksaan data" filter holds the same rows. Writes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import Agreement, Milestone


class Command(BaseCommand):
    # Plain text, as every command's help here: argparse takes no lazy translation.
    help = (
        "Tampilkan kerja sama yang statusnya bertentangan dengan tanggal atau tahapannya "
        "(keluar dengan status 1 bila ada). Tidak mengubah data."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        ended = Milestone.objects.filter(
            kind=Milestone.Kind.TERMINATION, done_on__isnull=False
        ).order_by("done_on", "pk")
        found = (
            Agreement.objects.with_contradicting_status(today)
            .prefetch_related(Prefetch("milestones", queryset=ended, to_attr="done_endings"))
            .order_by("pk")
        )
        count = 0
        for agreement in found.iterator(chunk_size=500):
            count += 1
            reference = agreement.reference or _("(tanpa nomor naskah)")
            self.stdout.write(f"{reference} · {agreement.title} (id {agreement.pk})")
            for problem in agreement.status_contradictions(agreement.done_endings, today):
                self.stdout.write(f"  - {problem}")
        if count:
            raise CommandError(
                ngettext(
                    "%(count)d kerja sama berstatus bertentangan dengan tanggal atau "
                    "tahapannya: perbaiki di admin (daftar kerja sama, saring “Pemeriksaan "
                    "data”).",
                    "%(count)d kerja sama berstatus bertentangan dengan tanggal atau "
                    "tahapannya: perbaiki di admin (daftar kerja sama, saring “Pemeriksaan "
                    "data”).",
                    count,
                )
                % {"count": count},
                returncode=1,
            )
        self.stdout.write(_("Tidak ada kerja sama yang statusnya bertentangan."))
