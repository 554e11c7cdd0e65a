"""List the agreements whose recorded status contradicts their dates or steps, one of whose
steps contradicts their dates, whose parties contradict their scope, amending a text, whose
term runs past that text's, or whose budget's currency is no ISO 4217 code.

Rows written before the register refused them keep them: the register does not rewrite official
records by itself. A status: recorded as expired while the term runs or with no expiry; still
signed or in force with the termination recorded as done; not yet signed with the signing
recorded as done. A step: the signing recorded as done on a day other than the signing date; a
step done before the agreement was proposed; an activity or evaluation dated before the text
was signed or came into force; a stage on the way to signing done or planned after it was
signed. Parties: a KSDD naming one region alone, with no partner; a KSDPK, KSDPL or KSDLL
naming no partner. A term: an amendment
ending after the text it amends, with which it ends. A currency: three capitals ISO 4217 does
not list ("RUP", "RMB"), which the forms and the import refuse. Run after an upgrade, or
any time: it prints each such agreement with what contradicts, in the words the admin form
uses, and exits with status 1 while there are any, 0 when there are none. The bureau mends
them in the admin, where the list's "Pemeriksaan data" filter holds the same rows. Writes
nothing.
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
        "Tampilkan kerja sama yang statusnya bertentangan dengan tanggal atau tahapannya, "
        "yang tahapannya bertentangan dengan tanggalnya, yang para pihaknya tidak sesuai "
        "dengan lingkupnya, adendum yang berakhir setelah naskah yang diubahnya, atau yang mata "
        "uang anggarannya bukan kode ISO 4217 (keluar dengan status 1 bila ada). Tidak mengubah "
        "data."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        steps = Milestone.objects.all()  # in their own order: done first, by date
        found = (
            (
                Agreement.objects.with_contradicting_status(today)
                | Agreement.objects.with_contradicting_steps()
                | Agreement.objects.with_contradicting_parties()
                | Agreement.objects.with_contradicting_term()
                | Agreement.objects.with_unknown_currency()
            )
            .select_related("lead_region", "follows")
            .prefetch_related(
                Prefetch("milestones", queryset=steps, to_attr="steps"),
                "regions",
                "partners",
                "agencies",
            )
            .order_by("pk")
        )
        count = 0
        for agreement in found.iterator(chunk_size=500):
            count += 1
            reference = agreement.reference or _("(tanpa nomor naskah)")
            self.stdout.write(f"{reference} · {agreement.title} (id {agreement.pk})")
            problems = [
                *agreement.status_contradictions(agreement.steps, today),
                *agreement.step_date_contradictions(agreement.steps),
                *agreement.party_contradictions(),
                *agreement.term_contradictions(amended=agreement.follows),
                *agreement.currency_contradictions(),
            ]
            for problem in problems:
                self.stdout.write(f"  - {problem}")
        if count:
            raise CommandError(
                ngettext(
                    "%(count)d kerja sama dengan status, tahapan, para pihak, jangka waktu atau "
                    "mata uang yang bertentangan dengan tanggal, tahapan, lingkup, naskahnya "
                    "atau ISO 4217: perbaiki di admin (daftar kerja sama, saring “Pemeriksaan "
                    "data”).",
                    "%(count)d kerja sama dengan status, tahapan, para pihak, jangka waktu atau "
                    "mata uang yang bertentangan dengan tanggal, tahapan, lingkup, naskahnya "
                    "atau ISO 4217: perbaiki di admin (daftar kerja sama, saring “Pemeriksaan "
                    "data”).",
                    count,
                )
                % {"count": count},
                returncode=1,
            )
        self.stdout.write(
            _(
                "Tidak ada kerja sama yang status, tahapan, para pihak, jangka waktu atau mata "
                "uangnya bertentangan."
            )
        )
