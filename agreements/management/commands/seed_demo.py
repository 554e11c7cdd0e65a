"""Fill a local register with the seed stories and generated demo records (see agreements.demo)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements import demo

# Where ``make run`` serves by default; ``make run PORT=…`` passes its own address.
SITE_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    # A plain string: argparse cannot format a lazy translation.
    help = (
        "Mengisi register dengan lima cerita contoh dan sekitar 200 kerja sama contoh, serta "
        "membuat administrator demo (hanya bila DEBUG aktif). Aman dijalankan berulang kali; "
        "jalankan load_reference_data lebih dulu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=SITE_URL,
            help="Alamat situs yang dicetak untuk masuk ke admin (bawaan: %(default)s).",
        )

    def handle(self, *args, url=SITE_URL, **options):
        admin_url = url.rstrip("/") + "/admin/"
        try:
            with transaction.atomic():
                report = demo.seed_demo()
                admin = demo.ensure_demo_admin(settings.DEBUG)
                role_users = demo.ensure_demo_role_users(settings.DEBUG)
        except demo.ReferenceDataMissing as exc:
            raise CommandError(str(exc)) from exc

        self.stdout.write(
            _(
                "Data contoh dibuat: %(agreements)d kerja sama, %(milestones)d tahapan, "
                "%(partners)d mitra, %(surveys)d identifikasi potensi, %(potentials)d potensi "
                "daerah."
            )
            % vars(report)
        )
        if admin == "skipped":
            self.stdout.write(
                _("DEBUG tidak aktif: administrator demo tidak dibuat. Gunakan createsuperuser.")
            )
        if demo.demo_admin_works():
            self.stdout.write(
                f"Admin: {admin_url}  (username {demo.DEMO_ADMIN_USERNAME}, "
                f"password {demo.DEMO_ADMIN_PASSWORD})"
            )
        else:
            self.stdout.write(
                _("Admin: %(url)s  (masuk dengan akun superuser yang sudah ada)")
                % {"url": admin_url}
            )
        if role_users:
            self.stdout.write(
                _("Pengguna contoh per peran (kata sandi %(password)s): %(users)s")
                % {"password": demo.DEMO_ADMIN_PASSWORD, "users": ", ".join(role_users)}
            )
