"""Writing an agreement's parties and sectors with its history: one save, one history entry.

``Agreement.history`` keeps a copy of the many-to-many fields (regions, partners, sectors,
agencies) in each entry. django-simple-history takes that copy when the row is saved, before any
form or importer has written the many-to-many rows, and then adds an entry of its own for every
many-to-many change. So the first entry of a new agreement would hold no parties, the next one
would appear to add them, and a later conflict message would name fields nobody touched.

Every path that writes these rows (the admin, the importer, the demo) goes through here: the
rows are written without an entry per change, and the entry of the save that went before is
then brought up to date with them.
"""

from contextlib import contextmanager

from django.db.models import Max

from agreements.models import Agreement

# The many-to-many fields an agreement's history keeps (``Agreement.history``'s m2m_fields).
PARTY_FIELDS = ("regions", "partners", "sectors", "agencies")


@contextmanager
def writing_parties(agreement):
    """Write ``agreement``'s parties and sectors inside this block (``form.save_m2m()``,
    ``.set()``), after saving the agreement itself.

    Inside, a change writes no history entry of its own; after the block, the agreement's latest
    entry holds the rows as saved. If the block raises, nothing is recorded (the caller's
    transaction rolls the rows back).
    """
    agreement.skip_history_when_saving = True
    try:
        yield
    finally:
        del agreement.skip_history_when_saving
    record_parties([agreement.pk])


def set_parties(agreement, **rows):
    """Set the named many-to-many fields (``regions=[…]``, ``sectors=[…]``) of a saved agreement
    as part of its latest save: its latest history entry holds them, and no other is written."""
    with writing_parties(agreement):
        for name, values in rows.items():
            getattr(agreement, name).set(values)


def add_parties_in_bulk(parties):
    """Add parties and sectors to many newly saved agreements at once (the demo's path).

    ``parties`` maps an agreement's id to ``{"regions": [ids], "partners": [ids], "sectors":
    [ids]}``. One insert per field, then each agreement's latest history entry is brought up
    to date (``record_parties``).
    """
    for field in Agreement._meta.many_to_many:
        if field.name not in PARTY_FIELDS:
            continue
        through = field.remote_field.through
        owner, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        through.objects.bulk_create(
            [
                through(**{owner: agreement_id, target: target_id})
                for agreement_id, rows in parties.items()
                for target_id in rows.get(field.name, ())
            ],
            batch_size=500,
        )
    record_parties(parties)


def record_parties(agreement_ids):
    """Copy the saved parties and sectors of each agreement into its latest history entry.

    For rows written after the agreements and their history entries. Queries: one for the
    latest entries, then per field one delete, one read and one insert, whatever the number of
    agreements.
    """
    history = Agreement.history.model
    ids = list(agreement_ids)
    latest = dict(
        history.objects.filter(id__in=ids)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("id", "last")
    )
    if not latest:
        return
    for field in history._history_m2m_fields:
        copies = getattr(history, field.name).model  # the entries' rows of this field
        through = field.remote_field.through
        owner = f"{field.m2m_field_name()}_id"
        columns = [column.attname for column in through._meta.fields]
        copies.objects.filter(history_id__in=latest.values()).delete()
        saved = through.objects.filter(**{f"{owner}__in": list(latest)}).values(*columns)
        copies.objects.bulk_create(
            [copies(history_id=latest[row[owner]], **row) for row in saved], batch_size=500
        )
