"""What PostgreSQL alone can deliver: ``COPY (SELECT …) TO STDOUT`` of the export's rows.

The same rows, in the same order, with the same 31 columns as the full export
(``agreements.export_columns.COLUMNS``): labels joined from the choices, party regions, partners and
sectors aggregated per agreement, the shown status as the pages compute it, the next planned
milestone, the status page's address and the local time of the last change. Written as the
database would best do it (each many-to-many table aggregated once, not a subquery per row),
so the export is compared with the database's limit rather than with a slow query. Two
forms: CSV, and one JSON object per row (``json_build_object``) for the JSON export.

The one simplification: the next milestone is the soonest planned one, where the export tells
the next *stage* of an unsigned agreement the way its status page does (the same work per row:
one ordered look at its milestones).
"""

import time

from django.db import connection
from django.utils import timezone

from agreements import export_columns
from agreements.models import Agreement, AgreementQuerySet, Scope


def labels(name, choices):
    rows = ", ".join(f"({quote(value)}, {quote(str(label))})" for value, label in choices.choices)
    return f"{name}(value, label) AS (VALUES {rows})"


def quote(text):
    return "'" + str(text).replace("'", "''") + "'"


def shown_status_sql(today):
    """``AgreementQuerySet.shown_status_case`` as SQL, from Django's own compilation."""
    queryset = Agreement.objects.annotate(shown=AgreementQuerySet.shown_status_case(today))
    sql, params = queryset.values("shown").query.sql_with_params()
    expression = sql[len("SELECT ") : sql.index(' AS "shown"')]
    with connection.cursor() as cursor:
        return cursor.mogrify(expression, params).decode()


def base_query(today):
    return f"""
WITH {labels("kinds", Agreement.Kind)},
     {labels("scopes", Scope)},
     {labels("statuses", Agreement.Status)},
regions AS (
  SELECT ar.agreement_id, array_agg(r.code ORDER BY r.code) AS codes,
         array_agg(r.name ORDER BY r.code) AS names
  FROM agreements_agreement_regions ar JOIN partners_region r ON r.id = ar.region_id
  GROUP BY ar.agreement_id
),
partners AS (
  SELECT ap.agreement_id, array_agg(p.name ORDER BY p.name, p.country_id) AS names,
         array_agg(p.country_id ORDER BY p.name, p.country_id) AS countries,
         array_agg(c.name_id ORDER BY p.name, p.country_id) AS country_names
  FROM agreements_agreement_partners ap JOIN partners_partner p ON p.id = ap.partner_id
  JOIN partners_country c ON c.code = p.country_id
  GROUP BY ap.agreement_id
),
sectors AS (
  SELECT ags.agreement_id, array_agg(s.slug ORDER BY s.position, s.name_id) AS slugs,
         array_agg(s.name_id ORDER BY s.position, s.name_id) AS names
  FROM agreements_agreement_sectors ags JOIN agreements_sector s ON s.id = ags.sector_id
  GROUP BY ags.agreement_id
),
next AS (
  SELECT DISTINCT ON (agreement_id) agreement_id, title, due_on
  FROM agreements_milestone WHERE done_on IS NULL
  ORDER BY agreement_id, due_on NULLS LAST, id
),
agreement AS (
  SELECT a.*, {shown_status_sql(today).replace('"agreements_agreement".', "a.")} AS shown
  FROM agreements_agreement a
)
SELECT a.reference, a.title, a.kind, kinds.label AS kind_label, a.scope,
       scopes.label AS scope_label, a.shown AS status, statuses.label AS status_label,
       a.status AS recorded_status, a.visibility, lead.code AS lead_region_code,
       lead.name AS lead_region_name,
       coalesce(regions.codes, '{{}}') AS region_codes,
       coalesce(regions.names, '{{}}') AS region_names,
       coalesce(partners.names, '{{}}') AS partners,
       coalesce(partners.countries, '{{}}') AS partner_countries,
       coalesce(partners.country_names, '{{}}') AS partner_country_names,
       coalesce(sectors.slugs, '{{}}') AS sectors,
       coalesce(sectors.names, '{{}}') AS sector_names,
       a.proposed_on, a.signed_on, a.in_force_from, a.expires_on,
       coalesce(nullif(f.reference, ''), f.title, '') AS follows, a.relation, a.summary,
       a.source_url, coalesce(next.title, '') AS next_milestone,
       next.due_on AS next_milestone_due,
       'http://127.0.0.1/agreements/' || a.id || '/' AS url,
       a.updated_at AT TIME ZONE '{timezone.get_current_timezone_name()}' AS updated_at
FROM agreement a
JOIN partners_region lead ON lead.id = a.lead_region_id
JOIN kinds ON kinds.value = a.kind
JOIN scopes ON scopes.value = a.scope
JOIN statuses ON statuses.value = a.shown
LEFT JOIN agreements_agreement f ON f.id = a.follows_id
LEFT JOIN regions ON regions.agreement_id = a.id
LEFT JOIN partners ON partners.agreement_id = a.id
LEFT JOIN sectors ON sectors.agreement_id = a.id
LEFT JOIN next ON next.agreement_id = a.id
ORDER BY a.signed_on DESC NULLS LAST, a.id DESC
"""


# The export's columns, as declared once (``agreements.export_columns``). ``base_query`` selects
# a value of each under its name: a column declared there and missing from it fails the COPY.
COLUMNS = export_columns.COLUMN_NAMES
SEVERAL = frozenset(column.name for column in export_columns.COLUMNS if column.several)


def csv_sql(today):
    columns = ", ".join(
        f"array_to_string(r.{name}, '; ') AS {name}" if name in SEVERAL else f"r.{name}"
        for name in COLUMNS
    )
    return (
        f"COPY (SELECT {columns} FROM ({base_query(today)}) r) TO STDOUT WITH (FORMAT csv, HEADER)"
    )


def json_sql(today):
    pairs = ", ".join(f"'{name}', r.{name}" for name in COLUMNS)
    # json_build_object takes at most 100 arguments, two a column.
    return f"COPY (SELECT json_build_object({pairs}) FROM ({base_query(today)}) r) TO STDOUT"


class Sink:
    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data):
        self.bytes += len(data)
        self.lines += data.count(b"\n") if isinstance(data, bytes) else data.count("\n")


def copy(sql):
    sink = Sink()
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, sink)
    return time.perf_counter() - start, sink


def sql_for(file_format, today=None):
    """The COPY an export of ``file_format`` is compared with: JSON with JSON, the rest with
    CSV (no database writes XLSX)."""
    build = json_sql if file_format == "json" else csv_sql
    return build(today or timezone.localdate())


def measure(file_format):
    """One COPY of the full export's rows as the export's format would be: (seconds, MB)."""
    seconds, sink = copy(sql_for(file_format))
    return seconds, sink.bytes / 1e6
