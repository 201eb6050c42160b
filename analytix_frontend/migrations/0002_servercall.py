"""The server-call records (analytix_frontend.server.models)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytix_frontend", "0001_consentrecord")]

    operations = [
        migrations.CreateModel(
            name="ServerCall",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("vendor", models.CharField(max_length=40)),
                ("kind", models.CharField(max_length=40)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "pending"),
                            ("sending", "sending"),
                            ("sent", "sent"),
                            ("failed", "failed (final vendor answer)"),
                            ("dead", "dead (retries spent)"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                (
                    "next_attempt_at",
                    models.DateTimeField(help_text="A pending call is not sent before this."),
                ),
                (
                    "lease_until",
                    models.DateTimeField(
                        help_text="Sending: when the claim runs out. Pending: when a sweep may "
                        "hand the call over again, in case its queued task or thread was lost."
                    ),
                ),
                (
                    "owner",
                    models.CharField(blank=True, help_text="Who holds the claim.", max_length=100),
                ),
                ("problem", models.CharField(blank=True, max_length=300)),
                (
                    "repeat_safe",
                    models.BooleanField(
                        default=True, help_text="The vendor deduplicates a repeat of this call."
                    ),
                ),
                (
                    "lost_answers",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Attempts of a call that is not repeat-safe whose answer was "
                        "lost after the request went out (the vendor may have stored "
                        "each).",
                    ),
                ),
                (
                    "maybe_sent_twice",
                    models.PositiveIntegerField(
                        default=0, help_text="Copies beyond one the vendor may hold."
                    ),
                ),
                (
                    "data",
                    models.JSONField(
                        help_text="The call as the vendor receives it; never the token."
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "server call",
                "indexes": [
                    models.Index(fields=["state", "lease_until"], name="analytix_call_sweep"),
                    models.Index(fields=["created_at"], name="analytix_call_created"),
                ],
            },
        ),
    ]
