"""Create or refresh the four role groups and their permissions. Safe to run any number of times."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from access.models import Role

REGISTER_APPS = ("agreements", "partners")

# (app_label, model) pairs an editor may add and change; row-level limits (only their own
# regions' agreements) are applied by the admin on top of these.
EDITOR_MODELS = {
    ("agreements", "agreement"),
    ("agreements", "milestone"),
    ("agreements", "document"),
    ("agreements", "signatory"),
    ("agreements", "contact"),
    ("agreements", "agency"),
    ("agreements", "potential"),
    ("partners", "partner"),
}


def permissions_for(role):
    register = Permission.objects.filter(content_type__app_label__in=REGISTER_APPS)
    view = register.filter(codename__startswith="view_")
    if role in (Role.OFFICIAL, Role.ANALYST):
        return view
    if role == Role.EDITOR:
        editable = Permission.objects.none()
        for app_label, model in EDITOR_MODELS:
            editable |= Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model
            )
        return (view | editable).distinct()
    # Administrators keep the register, its roles and its users.
    return Permission.objects.filter(content_type__app_label__in=(*REGISTER_APPS, "access", "auth"))


class Command(BaseCommand):
    help = "Buat atau perbarui grup peran (Editor, Pejabat, Analis, Administrator)."

    @transaction.atomic
    def handle(self, *args, **options):
        for role in Role:
            group, _created = Group.objects.get_or_create(name=role.value)
            group.permissions.set(permissions_for(role))
            self.stdout.write(f"{group.name}: {group.permissions.count()} izin")
