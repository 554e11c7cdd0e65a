"""Bulk migration of a register from a CSV, XLSX or JSON file in the export's columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agreements.imports import (
    ACTION_LABELS,
    DECIDE_CREATE,
    DECIDE_UPDATE,
    DUPLICATE,
    REJECT,
    AgreementImport,
    ImportFileError,
)
from agreements.models import kept_reason


class Command(BaseCommand):
    # A plain string: argparse cannot format a lazy translation.
    help = (
        "Mengimpor kerja sama dari berkas CSV, XLSX atau JSON dengan kolom yang sama dengan ekspor "
        "(docs/data-dictionary.md). Tidak menulis apa pun bila ada satu baris yang ditolak."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas .csv, .xlsx atau .json")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="periksa setiap baris dan laporkan hasilnya tanpa menulis apa pun",
        )
        parser.add_argument(
            "--duplicates",
            choices=["ask", DECIDE_UPDATE, DECIDE_CREATE],
            default="ask",
            help=(
                "baris yang mirip kerja sama yang sudah ada (daerah pengampu, mitra dan jenis "
                "sama): ask = laporkan dan jangan tulis apa pun, update = perbarui yang sudah "
                "ada, create = buat yang baru"
            ),
        )

    def handle(self, *args, file, dry_run, duplicates, **options):
        path = Path(file)
        if path.is_dir():
            raise CommandError(
                _("%(path)s adalah folder, bukan berkas: sebutkan berkas .csv, .xlsx atau .json.")
                % {"path": path}
            )
        if not path.is_file():
            raise CommandError(_("Berkas %(path)s tidak ada.") % {"path": path})
        try:
            with path.open("rb") as handle:
                importer = AgreementImport.from_file(
                    handle,
                    path.name,
                    change_reason=kept_reason(f"import_agreements {path.name}"),
                    default_decision="" if duplicates == "ask" else duplicates,
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from error

        plan = importer.plan() if dry_run else importer.apply()
        for row in plan.rows:
            if row.action == REJECT:
                for error in row.errors:
                    self.stderr.write(
                        _("baris %(row)d: %(error)s") % {"row": row.number, "error": error}
                    )
            elif row.action == DUPLICATE:
                self.stderr.write(
                    _("baris %(row)d: mirip %(others)s; pilih --duplicates=update atau create")
                    % {
                        "row": row.number,
                        "others": "; ".join(
                            f"{a.reference or '—'} {a.title}" for a in row.lookalikes
                        ),
                    }
                )
            elif options["verbosity"] > 1:
                changed = f" ({', '.join(row.changes)})" if row.changes else ""
                self.stdout.write(f"{row.number}: {ACTION_LABELS[row.action]}{changed}")
            if row.action != REJECT:
                # Written all the same, as the admin's save would warn of it.
                for warning in row.warnings:
                    self.stderr.write(
                        _("baris %(row)d (peringatan): %(warning)s")
                        % {"row": row.number, "warning": warning}
                    )
            if options["verbosity"] > 1:
                for note in row.partner_notes:
                    self.stdout.write(f"{row.number}: {note}")
        for row in plan.rejected_table_rows:
            for error in row.errors:
                self.stderr.write(
                    _("lembar %(sheet)s baris %(row)d: %(error)s")
                    % {"sheet": row.table, "row": row.number, "error": error}
                )
        for row in plan.warned_table_rows:
            for warning in row.warnings:
                self.stderr.write(
                    _("lembar %(sheet)s baris %(row)d (peringatan): %(warning)s")
                    % {"sheet": row.table, "row": row.number, "warning": warning}
                )
        for table, counts in plan.table_counts():
            self.stdout.write(
                _(
                    "lembar %(sheet)s: %(create)d dibuat, %(update)d diperbarui, %(unchanged)d "
                    "tidak berubah, %(reject)d ditolak"
                )
                % {"sheet": table, **counts}
            )
        counts = plan.counts
        summary = (
            _(
                "%(create)d dibuat, %(update)d diperbarui, %(unchanged)d tidak berubah, "
                "%(duplicate)d mirip yang sudah ada, %(reject)d ditolak"
            )
            % counts
        )
        if not plan.is_valid:
            raise CommandError(_("Tidak ada yang ditulis: %(summary)s.") % {"summary": summary})
        if dry_run:
            self.stdout.write(
                _("Uji coba, tidak ada yang ditulis: %(summary)s.") % {"summary": summary}
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("Ditulis: %(summary)s.") % {"summary": summary}))
