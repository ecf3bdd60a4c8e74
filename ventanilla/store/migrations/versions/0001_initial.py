"""Initial schema: the intake queue, tickets and their conversation, outbox, dead letters,
licences, channel positions and ticket counters.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)  # aware UTC (naive UTC text on SQLite)


def upgrade() -> None:
    op.create_table(
        "channel_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_channel_state")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("email", name=op.f("uq_contacts_email")),
        sa.UniqueConstraint("telegram_chat_id", name=op.f("uq_contacts_telegram_chat_id")),
    )
    op.create_table(
        "licences",
        sa.Column("licence", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("updates_until", sa.Date(), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("holder_email", sa.String(length=320), nullable=False),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("licence", name=op.f("pk_licences")),
    )
    op.create_table(
        "raw_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=998), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["raw_messages.id"], name=op.f("fk_raw_messages_duplicate_of_raw_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_messages")),
    )
    op.create_index(op.f("ix_raw_messages_status_id"), "raw_messages", ["status", "id"])
    op.create_table(
        "ticket_counters",
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_ticket_counters")),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=998), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("raw_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_id"],
            ["raw_messages.id"],
            name=op.f("fk_dead_letters_raw_id_raw_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("needs_triage", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("requester", sa.String(length=320), nullable=False),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("reply_to", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.LargeBinary(), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("assignee", sa.String(length=120), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminder_at", TIMESTAMP, nullable=True),
        sa.Column("linked_ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("first_answer_at", TIMESTAMP, nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_tickets_contact_id_contacts")),
        sa.ForeignKeyConstraint(
            ["linked_ticket_id"], ["tickets.id"], name=op.f("fk_tickets_linked_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
    )
    op.create_index(op.f("ix_tickets_contact_id"), "tickets", ["contact_id"])
    op.create_index(op.f("ix_tickets_requester"), "tickets", ["requester"])
    op.create_index(op.f("ix_tickets_state"), "tickets", ["state"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_corrections_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    op.create_index(op.f("ix_corrections_ticket_id"), "corrections", ["ticket_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=998), nullable=True),
        sa.Column("raw_id", sa.Integer(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("automatic", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_id"], ["raw_messages.id"], name=op.f("fk_messages_raw_id_raw_messages"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_messages_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("direction", "source_id", name=op.f("uq_messages_direction_source_id")),
    )
    op.create_index(op.f("ix_messages_ticket_id"), "messages", ["ticket_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_outbox_ticket_id_tickets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index(op.f("ix_outbox_recipient_created_at"), "outbox", ["recipient", "created_at"])
    op.create_index(op.f("ix_outbox_status_next_attempt_at"), "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"])
    op.create_table(
        "processed_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=998), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("raw_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_processed_ids_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["raw_id"],
            ["raw_messages.id"],
            name=op.f("fk_processed_ids_raw_id_raw_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_ids")),
        sa.UniqueConstraint("kind", "external_id", name=op.f("uq_processed_ids_kind_external_id")),
    )


def downgrade() -> None:
    op.drop_table("processed_ids")
    op.drop_index(op.f("ix_ticket_events_ticket_id"), table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index(op.f("ix_outbox_status_next_attempt_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_recipient_created_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_messages_ticket_id"), table_name="messages")
    op.drop_table("messages")
    op.drop_index(op.f("ix_corrections_ticket_id"), table_name="corrections")
    op.drop_table("corrections")
    op.drop_index(op.f("ix_tickets_state"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_requester"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_contact_id"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_table("dead_letters")
    op.drop_table("ticket_counters")
    op.drop_index(op.f("ix_raw_messages_status_id"), table_name="raw_messages")
    op.drop_table("raw_messages")
    op.drop_table("licences")
    op.drop_table("contacts")
    op.drop_table("channel_state")
