from django.core.management.base import BaseCommand

from agreements.import_previews import ImportPreview


class Command(BaseCommand):
    help = "Hapus pratinjau impor yang sudah kedaluwarsa (jalankan berkala, mis. tiap jam)."

    def handle(self, *args, **options):
        deleted, _by_model = ImportPreview.objects.expired().delete()
        self.stdout.write(f"{deleted} pratinjau impor kedaluwarsa dihapus.")
