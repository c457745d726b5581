"""Case references from a counter per type and year; case search on a stored text without diacritics.

References were the highest existing one plus one, compared as text: after KT-2026-9999 came KT-2026-10000, which
sorts below it, so every later case of the year hit the unique constraint. Each (type, year) now has a counter row,
started here at the highest number already given (compared as numbers).

cases.search_text holds the reference and title lower-cased without diacritics (inspect_app/core/search.py), so that
"nam sach" finds "Nam Sách"; on PostgreSQL a pg_trgm GIN index answers LIKE '%...%' on it.

Revision ID: 7b3e9f2a6c14
Revises: e2a9d4c7b1f5
Create Date: 2026-12-01 09:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

# The stored text must be what the app computes for new cases: the same function, not a copy.
from inspect_app.core.search import searchable

revision = "7b3e9f2a6c14"
down_revision = "e2a9d4c7b1f5"
branch_labels = None
depends_on = None

REFERENCE = re.compile(r"^[A-Z]+-(\d{4})-(\d+)$")
BATCH = 1000


def upgrade():
    op.create_table(
        "reference_counters",
        sa.Column(
            "case_type",
            sa.Enum("inspection", "par_appraisal", name="casetype", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_type", "year", name=op.f("pk_reference_counters")),
    )
    op.add_column("cases", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    counters, texts = {}, []
    for case_id, case_type, reference, title in connection.execute(
        sa.text("SELECT id, case_type, reference, title FROM cases ORDER BY id")
    ):
        if matched := REFERENCE.match(reference):
            key = (case_type, int(matched[1]))
            counters[key] = max(counters.get(key, 0), int(matched[2]))
        texts.append({"case_id": case_id, "search_text": searchable(reference, title)})
    if counters:
        connection.execute(
            sa.text("INSERT INTO reference_counters (case_type, year, last_number) VALUES (:case_type, :year, :last)"),
            [{"case_type": case_type, "year": year, "last": last} for (case_type, year), last in counters.items()],
        )
    for start in range(0, len(texts), BATCH):
        connection.execute(
            sa.text("UPDATE cases SET search_text = :search_text WHERE id = :case_id"), texts[start : start + BATCH]
        )
    if connection.dialect.name == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_cases_search_text",
        "cases",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade():
    op.drop_index("ix_cases_search_text", table_name="cases")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("search_text")
    op.drop_table("reference_counters")
