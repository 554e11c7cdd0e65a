"""Search folds accents: "Jose" finds "José", "Sao Paulo" São Paulo (``agreements.search``).

PostgreSQL's ``unaccent`` extension (in contrib; a trusted extension from PostgreSQL 13 on, as
``pg_trgm`` is, so the database owner may create it) takes the accents away. ``unaccent`` is
only *stable* (its dictionary may change), and a generated column or an index may use an
*immutable* function alone: ``coopdb_unaccent(text)`` is ``unaccent`` with its dictionary named,
declared immutable, the usual way.

- ``search_vector`` (migrations 0003 and 0011) is generated again from the title and summary
  with their accents taken away, so a word's query, its accents taken away likewise, finds
  them whether typed with or without; its GIN index made again with it.
- The partners' names, names in their own script and former names are matched with their
  accents taken away on either side, ``UPPER(coopdb_unaccent(name::text)) LIKE
  UPPER(coopdb_unaccent('%word%'))``: a trigram index of that expression for each (beside those
  of migrations 0028 and 0055, which the admin's search reads), so a word still reads the few
  partners it matches.

On SQLite nothing is stored: ``coopdb_unaccent`` is a function of each connection.
"""

from django.db import migrations

VECTOR = """
    setweight(to_tsvector('indonesian'::regconfig, coopdb_unaccent(coalesce(title, ''))), 'A')
    || setweight(to_tsvector('english'::regconfig, coopdb_unaccent(coalesce(title, ''))), 'A')
    || setweight(to_tsvector('english'::regconfig, coopdb_unaccent(coalesce(title_en, ''))), 'A')
    || setweight(to_tsvector('indonesian'::regconfig, coopdb_unaccent(coalesce(summary, ''))), 'B')
    || setweight(to_tsvector('english'::regconfig, coopdb_unaccent(coalesce(summary, ''))), 'B')
    || setweight(to_tsvector('english'::regconfig, coopdb_unaccent(coalesce(summary_en, ''))), 'B')
"""
# Migration 0011's.
OLD_VECTOR = """
    setweight(to_tsvector('indonesian'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(title_en, '')), 'A')
    || setweight(to_tsvector('indonesian'::regconfig, coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(summary_en, '')), 'B')
"""
FUNCTION = (
    "CREATE OR REPLACE FUNCTION coopdb_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
)
NAMES = ("name", "name_local", "former_names")


def vector(expression):
    return [
        "DROP INDEX IF EXISTS agreement_search_vector",
        "ALTER TABLE agreements_agreement DROP COLUMN search_vector",
        "ALTER TABLE agreements_agreement ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED",
        "CREATE INDEX agreement_search_vector ON agreements_agreement USING gin (search_vector)",
        "ANALYZE agreements_agreement",
    ]


FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    FUNCTION,
    *vector(VECTOR),
    *(
        f"CREATE INDEX partner_{column}_unaccented_trgm ON partners_partner "
        f'USING gin ((UPPER(coopdb_unaccent("{column}"::text))) gin_trgm_ops)'
        for column in NAMES
    ),
]
BACKWARD = [
    *(f"DROP INDEX IF EXISTS partner_{column}_unaccented_trgm" for column in NAMES),
    *vector(OLD_VECTOR),
    "DROP FUNCTION IF EXISTS coopdb_unaccent(text)",
]


def run(statements):
    def execute(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return execute


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0068_terminated_after_the_term_ran_out_ended_with_it"),
        ("partners", "0004_partner_former_names"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False)]
