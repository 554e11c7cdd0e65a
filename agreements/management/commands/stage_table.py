"""Print the stage table (``agreements.stages``) as the Markdown of ``docs/stages.md``."""

from django.core.management.base import BaseCommand
from django.utils import translation

from agreements.models import AgreementKind, MilestoneKind, MilestoneWaitsOn
from agreements.stages import markdown_table


def english_table():
    """The table with English names, as ``docs/stages.md`` holds it."""
    with translation.override("en"):
        return markdown_table(
            {value: str(label) for value, label in AgreementKind.choices},
            {value: str(label) for value, label in MilestoneKind.choices},
            {value: str(label) for value, label in MilestoneWaitsOn.choices},
        )


class Command(BaseCommand):
    help = "Print the table of stages per document kind and scope, as docs/stages.md holds it."

    def handle(self, *args, **options):
        self.stdout.write(english_table(), ending="")
