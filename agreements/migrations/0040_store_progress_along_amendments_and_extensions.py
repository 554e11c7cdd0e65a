from django.db import migrations
from django.db.models import F
from django.utils import timezone

BEFORE_SIGNING = ("initiative", "exploration", "preparation")
PARTIES = ("regions", "partners", "sectors", "agencies")


def forward(apps, schema_editor):
    """Store again where every agreement stands, now read along amendments and extensions as
    along follow-ups: an extension carries on the initiative, exploration and LoI of the text
    it extends (its next step is no longer "initiative", and a status behind that is raised),
    and a signed text with nothing of its own ahead waits with its amendment or extension;
    a text not yet signed has passed the stages of the statuses before the one recorded (one in
    preparation with no step recorded has the plan next, not the initiative), and none is behind
    the first stage of its path (a PKS carrying out an MoU is being prepared).
    Each raised agreement gets a new version and a history entry of its own, as the system's
    change, with the parties of the entry before (as migration 0034 records them)."""
    from agreements.models import store_progress

    Agreement = apps.get_model("agreements", "Agreement")
    Milestone = apps.get_model("agreements", "Milestone")
    History = apps.get_model("agreements", "HistoricalAgreement")
    unsigned = Agreement.objects.filter(status__in=BEFORE_SIGNING)
    before = dict(unsigned.values_list("pk", "status"))
    store_progress(Agreement.objects.all(), Milestone.objects, everything=True)
    after = dict(unsigned.values_list("pk", "status"))
    raised = [pk for pk, status in before.items() if after.get(pk, status) != status]
    copied = [
        field.attname
        for field in History._meta.concrete_fields
        if not field.name.startswith("history_")
    ]
    now = timezone.now()
    for start in range(0, len(raised), 500):
        batch = raised[start : start + 500]
        Agreement.objects.filter(pk__in=batch).update(version=F("version") + 1, updated_at=now)
        for agreement in Agreement.objects.filter(pk__in=batch):
            previous = History.objects.filter(id=agreement.pk).order_by("-history_id").first()
            if previous is None:
                continue
            entry = History.objects.create(
                **{name: getattr(agreement, name) for name in copied},
                history_date=now,
                history_type="~",
                history_user=None,
            )
            for name in PARTIES:
                Copy = apps.get_model("agreements", f"HistoricalAgreement_{name}")
                rows = Copy.objects.filter(history_id=previous.history_id).values()
                Copy.objects.bulk_create(
                    [
                        Copy(**{**row, "m2m_history_id": None, "history_id": entry.history_id})
                        for row in rows
                    ]
                )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0039_register_tally_this_month_by_day"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
