"""The CSV and JSON exports on PostgreSQL, their cells written by the database.

At national scale an export's cost is its cells: 31 a row, each neutralised, joined, dated and
quoted. Written one by one in Python they cost four times what the database's own ``COPY`` of
the same rows takes (``bench/``). Here the query that reads the rows also writes them: each row
comes back as its CSV line (or JSON object) in two pieces, either side of the next-step
columns, which Python fills in by the status page's own rule (``next_step_of``).

The cells follow the rules of ``agreements.exports`` (its separator, escape, formula triggers
and neutraliser are compiled to SQL here), and every label is written by Python, in the reader's
language, into the query. ``tests/test_export_text.py`` holds this path and the writers of
``agreements.exports`` to the same bytes. XLSX, and every format on SQLite, are written from
``iter_records``.

The query reads the selection (the page's filters, visibility and order, from the ORM) once,
aggregates each party table once for all of it, and takes of the milestones only what the next
step reads: every milestone of an unsigned agreement, and the soonest planned one of a signed
agreement (``next_step_of`` reads no other). Rows come through a server-side cursor,
``CHUNK_SIZE`` at a time, so memory stays flat.
"""

import datetime
import json

from django.db import connections
from django.db.models import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language

from agreements import exports
from agreements.models import UNSIGNED_STATUSES, Agreement, AgreementQuerySet, Scope, next_step_of

# What makes ``csv.writer`` quote a field (QUOTE_MINIMAL): the delimiter, the quote character and
# the characters of the line terminator. A quote inside a quoted field is doubled.
CSV_SPECIALS = ',"\r\n'


def csv_field(text):
    """``text`` as ``csv.writer`` writes it as one field of a row."""
    if any(char in text for char in CSV_SPECIALS):
        return '"' + text.replace('"', '""') + '"'
    return text


assert exports.NEUTRALISER not in CSV_SPECIALS


class _Sql:
    """The SQL of the export's cells in one format, its constants quoted by ``cursor``'s
    connection. Each format writes a text, a value of a known few, a label, a list, a date and
    a time its own way, and joins cells into part of a line."""

    def __init__(self, cursor):
        self.cursor = cursor

    def literal(self, value):
        return self.cursor.mogrify("%s", [value]).decode()

    def _case(self, column, written, otherwise):
        whens = " ".join(
            f"WHEN {self.literal(value)} THEN {self.literal(text)}"
            for value, text in written.items()
        )
        return f"(CASE {column} {whens} ELSE {otherwise} END)"

    def local_time(self, value):
        """ISO 8601 to the second, in the current time zone with its offset then, as
        ``timezone.localtime(value).isoformat(timespec="seconds")`` writes it (the session's own
        time zone stays as Django set it)."""
        zone = self.literal(timezone.get_current_timezone_name())
        local = f"({value} AT TIME ZONE {zone})"
        offset = f"({local} - ({value} AT TIME ZONE 'UTC'))"
        size = f"(CASE WHEN {offset} < interval '0' THEN -{offset} ELSE {offset} END)"
        seconds = (
            f"(CASE WHEN extract(second FROM {offset}) = 0 THEN '' ELSE to_char({size}, ':SS') END)"
        )
        return (
            f"""concat(to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS'), """
            f"CASE WHEN {offset} < interval '0' THEN '-' ELSE '+' END, "
            f"to_char({size}, 'HH24:MI'), {seconds})"
        )


class _CsvSql(_Sql):
    separator = exports.SEPARATOR

    def text(self, text):
        """The CSV field of the SQL text ``text`` (not NULL): ``exports.plain_cell``, then
        quoted as ``csv_field`` does. The neutraliser is none of ``CSV_SPECIALS``, so whether a
        field needs quotes is the same before and after neutralising it."""
        triggers = self.literal("".join(sorted(exports.NEEDS_NEUTRALISER)))
        starts_a_formula = f"({text} <> '' AND strpos({triggers}, left({text}, 1)) > 0)"
        neutraliser = self.literal(exports.NEUTRALISER)
        neutralised = f"(CASE WHEN {starts_a_formula} THEN {neutraliser} || {text} ELSE {text} END)"
        needs_quotes = " OR ".join(
            f"strpos({text}, {self.literal(char)}) > 0" for char in CSV_SPECIALS
        )
        quoted = f"""'"' || replace({neutralised}, '"', '""') || '"'"""
        return f"(CASE WHEN {needs_quotes} THEN {quoted} ELSE {neutralised} END)"

    def plain(self, column):
        """A text column, written "" when missing."""
        return self.text(f"coalesce({column}, '')")

    def known(self, text, values):
        """A text that is one of ``values`` (a column its CHECK constraint holds to them) or
        like them: as it is when none of them needs neutralising or quoting."""
        if all(csv_field(exports.plain_cell(value)) == value for value in values):
            return text
        return self.text(text)

    def label(self, column, labels):
        """The label of ``column``'s value, written in Python into the query; an unknown value
        stands for itself, as in ``exports._record``."""
        written = {value: csv_field(exports.plain_cell(label)) for value, label in labels.items()}
        return self._case(column, written, self.text(column))

    def several_value(self, value):
        """One value of a several-value cell, escaped as ``exports.join_values`` does."""
        escape = exports.ESCAPE
        escaped = f"replace({value}, {self.literal(escape)}, {self.literal(escape * 2)})"
        return f"replace({escaped}, ';', {self.literal(escape + ';')})"

    def several(self, joined):
        return self.text(f"coalesce({joined}, '')")

    @staticmethod
    def date(value):
        return f"coalesce(to_char({value}, 'YYYY-MM-DD'), '')"

    def timestamp(self, value):
        return self.local_time(value)

    @staticmethod
    def joined(cells, names):
        """The cells of ``names`` as part of a CSV line. One ``concat`` writes it once, where
        ``||`` would copy the growing line at every cell."""
        parts = [part for name in names for part in ("','", cells[name])][1:]
        return f"concat({', '.join(parts)})"


class _JsonSql(_Sql):
    separator = ", "

    @staticmethod
    def text(text):
        return f"coalesce(to_json({text})::text, 'null')"

    plain = text  # a missing text is null

    def known(self, text, values):
        if all(json.dumps(value, ensure_ascii=False) == f'"{value}"' for value in values):
            return f"""('"' || {text} || '"')"""
        return self.text(text)

    def label(self, column, labels):
        written = {value: json.dumps(label, ensure_ascii=False) for value, label in labels.items()}
        return self._case(column, written, self.text(column))

    @staticmethod
    def several_value(value):
        return f"to_json({value})::text"

    @staticmethod
    def several(joined):
        return f"coalesce('[' || {joined} || ']', '[]')"

    @staticmethod
    def date(value):
        return f"""coalesce('"' || to_char({value}, 'YYYY-MM-DD') || '"', 'null')"""

    def timestamp(self, value):
        return f"""('"' || {self.local_time(value)} || '"')"""

    @staticmethod
    def joined(cells, names):
        """The cells of ``names`` as part of a JSON object (column names are plain words:
        ``"name": `` needs no escaping), written by one ``concat``."""
        keys = [f"""'{", " * bool(index)}"{name}": '""" for index, name in enumerate(names)]
        parts = [part for key, name in zip(keys, names, strict=True) for part in (key, cells[name])]
        return f"concat({', '.join(parts)})"


_QUERY = """
WITH selection AS MATERIALIZED ({selection}),
-- Each party table's values joined per agreement, in order. Aggregated over a window, whose
-- order the values follow, the table is sorted once, where ``string_agg(… ORDER BY …)`` would
-- sort each agreement's few values apart.
party_regions AS (
    SELECT agreement_id, codes, names FROM (
        SELECT link.agreement_id, row_number() OVER parties AS position,
               string_agg({region_code}, {separator}) OVER parties AS codes,
               string_agg({region_name}, {separator}) OVER parties AS names
        FROM {region_links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {regions} region ON region.id = link.region_id
        WINDOW parties AS (PARTITION BY link.agreement_id ORDER BY region.code {whole})
    ) joined WHERE position = 1
),
party_partners AS (
    SELECT agreement_id, names, countries, country_names FROM (
        SELECT link.agreement_id, row_number() OVER parties AS position,
               string_agg({partner_name}, {separator}) OVER parties AS names,
               string_agg({partner_country}, {separator}) OVER parties AS countries,
               string_agg({country_name}, {separator}) OVER parties AS country_names
        FROM {partner_links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {partners} partner ON partner.id = link.partner_id
        JOIN {countries} country ON country.code = partner.country_id
        WINDOW parties AS (
            PARTITION BY link.agreement_id ORDER BY partner.name, partner.country_id {whole}
        )
    ) joined WHERE position = 1
),
agreement_sectors AS (
    SELECT agreement_id, slugs, names FROM (
        SELECT link.agreement_id, row_number() OVER sectors AS position,
               string_agg({sector_slug}, {separator}) OVER sectors AS slugs,
               string_agg({sector_name}, {separator}) OVER sectors AS names
        FROM {sector_links} link
        JOIN selection ON selection.id = link.agreement_id
        JOIN {sectors} sector ON sector.id = link.sector_id
        WINDOW sectors AS (
            PARTITION BY link.agreement_id ORDER BY sector.position, sector.name_id {whole}
        )
    ) joined WHERE position = 1
),
-- A signed agreement's next step is its soonest planned milestone (``next_step_of``).
soonest_planned AS (
    SELECT DISTINCT ON (milestone.agreement_id)
           milestone.agreement_id, milestone.id, milestone.kind, milestone.title,
           milestone.due_on, milestone.waits_on
    FROM {milestones} milestone JOIN selection ON selection.id = milestone.agreement_id
    WHERE milestone.done_on IS NULL AND selection.status NOT IN {unsigned}
    ORDER BY milestone.agreement_id, coalesce(milestone.due_on, {last_day}), milestone.id
),
-- An unsigned agreement's next stage reads all its milestones, in ``Milestone.Meta.ordering``.
unsigned_milestones AS (
    SELECT milestone.agreement_id,
           {milestone_facts} AS facts
    FROM {milestones} milestone JOIN selection ON selection.id = milestone.agreement_id
    WHERE selection.status IN {unsigned}
    GROUP BY milestone.agreement_id
)
SELECT {head} AS head, agreement.status, agreement.scope,
       soonest.id, soonest.kind, soonest.title, soonest.due_on, soonest.waits_on,
       unsigned.facts, {tail} AS tail
FROM selection
JOIN {agreements} agreement ON agreement.id = selection.id
JOIN {regions} lead ON lead.id = agreement.lead_region_id
LEFT JOIN {agreements} follows ON follows.id = agreement.follows_id
LEFT JOIN party_regions ON party_regions.agreement_id = selection.id
LEFT JOIN party_partners ON party_partners.agreement_id = selection.id
LEFT JOIN agreement_sectors ON agreement_sectors.agreement_id = selection.id
LEFT JOIN soonest_planned soonest ON soonest.agreement_id = selection.id
LEFT JOIN unsigned_milestones unsigned ON unsigned.agreement_id = selection.id
ORDER BY selection.export_position
"""

# The columns either side of the next step.
_STEP_AT = exports.COLUMN_NAMES.index("next_milestone")
assert exports.COLUMN_NAMES[_STEP_AT : _STEP_AT + 2] == ["next_milestone", "next_milestone_due"]
HEAD, TAIL = exports.COLUMN_NAMES[:_STEP_AT], exports.COLUMN_NAMES[_STEP_AT + 2 :]


def _cells(sql, page_url, labels):
    """{column: SQL of its CSV field or JSON value} for every column but the next step's."""
    plain, known, label, as_list, date = sql.plain, sql.known, sql.label, sql.several, sql.date

    # The status page's address around the agreement's id: digits change nothing of how the
    # address is written, so one address stands for all.
    marker = 999999999
    before, after = page_url(marker).split(str(marker))
    url = f"{sql.literal(before)} || agreement.id || {sql.literal(after)}"
    shown = "selection.shown_status"
    cells = {
        "reference": plain("agreement.reference"),
        "title": plain("agreement.title"),
        "kind": known("agreement.kind", Agreement.Kind.values),
        "kind_label": label("agreement.kind", labels["kind"]),
        "scope": known("agreement.scope", Scope.values),
        "scope_label": label("agreement.scope", labels["scope"]),
        "status": known(shown, Agreement.Status.values),
        "status_label": label(shown, labels["status"]),
        "recorded_status": known("agreement.status", Agreement.Status.values),
        "visibility": known("agreement.visibility", Agreement.Visibility.values),
        "lead_region_code": plain("lead.code"),
        "lead_region_name": plain("lead.name"),
        "region_codes": as_list("party_regions.codes"),
        "region_names": as_list("party_regions.names"),
        "partners": as_list("party_partners.names"),
        "partner_countries": as_list("party_partners.countries"),
        "partner_country_names": as_list("party_partners.country_names"),
        "sectors": as_list("agreement_sectors.slugs"),
        "sector_names": as_list("agreement_sectors.names"),
        "proposed_on": date("agreement.proposed_on"),
        "signed_on": date("agreement.signed_on"),
        "in_force_from": date("agreement.in_force_from"),
        "expires_on": date("agreement.expires_on"),
        "follows": plain("coalesce(nullif(follows.reference, ''), nullif(follows.title, ''), '')"),
        "relation": known("agreement.relation", ["", *Agreement.Relation.values]),
        "summary": plain("agreement.summary"),
        "source_url": plain("agreement.source_url"),
        "url": known(url, [page_url(1)]),
        "updated_at": sql.timestamp("agreement.updated_at"),
    }
    assert set(cells) == set(HEAD) | set(TAIL)
    return cells


def _query(sql, queryset, page_url, today):
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    selection = (
        queryset.values("id", "status")
        .annotate(
            shown_status=AgreementQuerySet.shown_status_case(today),
            export_position=Window(RowNumber(), order_by=list(ordering)),
        )
        .order_by()
    )
    english = (get_language() or "id").startswith("en")
    labels = {
        "kind": exports.choice_labels(Agreement.Kind),
        "scope": exports.choice_labels(Scope),
        "status": exports.choice_labels(Agreement.Status),
    }
    value = sql.several_value
    cells = _cells(sql, page_url, labels)
    selection_sql, selection_params = selection.query.sql_with_params()
    return _QUERY.format(
        selection=sql.cursor.mogrify(selection_sql, selection_params).decode(),
        separator=sql.literal(sql.separator),
        whole="ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
        region_code=value("region.code"),
        region_name=value("region.name"),
        partner_name=value("partner.name"),
        partner_country=value("partner.country_id"),
        country_name=value("country.name_en" if english else "country.name_id"),
        sector_slug=value("sector.slug"),
        sector_name=value("sector.name_en" if english else "sector.name_id"),
        unsigned="(" + ", ".join(sql.literal(status) for status in UNSIGNED_STATUSES) + ")",
        last_day=sql.literal(datetime.date.max.isoformat()) + "::date",
        head=sql.joined(cells, HEAD),
        tail=sql.joined(cells, TAIL),
        milestone_facts=exports.MILESTONE_FACTS,
        **exports.table_names(),
    )


def _rows(queryset, sql_format, page_url, chunk_size):
    """(head, next step, tail) of each row of the export, in the selection's order;
    ``sql_format`` writes the cells (``_CsvSql``, ``_JsonSql``)."""
    with connections[queryset.db].cursor() as cursor:  # quotes the query's constants
        query = _query(sql_format(cursor.cursor), queryset, page_url, timezone.localdate())
    # Every value is in the query's text: no parameter to interpolate.
    for row in exports.streamed_rows(queryset.db, query, None, chunk_size):
        head, status, scope, *soonest, facts, tail = row
        yield head, _next_step(status, scope, soonest, facts), tail


def _next_step(status, scope, soonest, facts):
    if status in UNSIGNED_STATUSES:
        milestones = [exports.MilestoneFacts.from_json(milestone) for milestone in facts or ()]
    elif soonest[0] is not None:
        pk, kind, title, due_on, waits_on = soonest
        milestones = [exports.MilestoneFacts(pk, kind, title, due_on, None, waits_on)]
    else:
        milestones = ()
    return next_step_of(status, scope, milestones)


def csv_lines(queryset, page_url, chunk_size=None):
    """The CSV export of ``queryset``, line by line (``exports.csv_chunks``'s bytes)."""
    yield "\ufeff" + ",".join(csv_field(name) for name in exports.COLUMN_NAMES) + "\r\n"
    rows = _rows(queryset, _CsvSql, page_url, chunk_size or exports.CHUNK_SIZE)
    for head, step, tail in rows:
        if step is None:
            yield f"{head},,,{tail}\r\n"
        else:
            label = csv_field(exports.plain_cell(str(step.label)))
            yield f"{head},{label},{exports.date_cell(step.due_on)},{tail}\r\n"


def json_lines(queryset, page_url, chunk_size=None):
    """The JSON export of ``queryset``, an object a line (``exports.json_chunks``'s text)."""
    encode = exports.JSON.encode
    yield "[\n"
    separator = ""
    rows = _rows(queryset, _JsonSql, page_url, chunk_size or exports.CHUNK_SIZE)
    for head, step, tail in rows:
        label = encode(str(step.label)) if step else '""'
        due = f'"{step.due_on.isoformat()}"' if step and step.due_on else "null"
        yield (
            f'{separator}{{{head}, "next_milestone": {label}, "next_milestone_due": {due}, {tail}}}'
        )
        separator = ",\n"
    yield "\n]\n"
