"""`ConsentRecord`: the proof of one consent decision (GDPR Art. 7(1): the controller can
show that this person consented, to what, under which notice).

A record is written once by the endpoint (`consent/views.py`) and never changed: the admin
shows it read-only. `manage.py analytix_consent` exports one subject's history, deletes it,
and purges records older than `CONSENT["RETENTION_DAYS"]`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentRecord(models.Model):
    class Action(models.TextChoices):
        GRANT = "grant", _("grant")
        WITHDRAW = "withdraw", _("withdraw")
        REJECT = "reject", _("reject")
        GPC = "gpc", _("Global Privacy Control honoured")

    class Source(models.TextChoices):
        BANNER = "banner", _("analytix banner")
        API = "api", _("page code (analytix.consent)")
        COOKIE_CONSENT = "cookie_consent", _("django-cookie-consent")
        TCF = "tcf", _("IAB TCF CMP")
        GCM = "gcm", _("Google consent CMP")

    consent_id: models.CharField[str, str] = models.CharField(
        max_length=22, db_index=True, help_text=_("The random id in the visitor's consent cookie.")
    )
    action: models.CharField[str, str] = models.CharField(max_length=8, choices=Action)
    categories: models.CharField[str, str] = models.CharField(
        max_length=64, blank=True, help_text=_("The categories granted after this decision.")
    )
    version_tag: models.CharField[str, str] = models.CharField(max_length=8, blank=True)
    version: models.CharField[str, str] = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("CONSENT['VERSION'] when the page's version tag was the current one."),
    )
    services_tag: models.CharField[str, str] = models.CharField(max_length=8)
    source: models.CharField[str, str] = models.CharField(max_length=16, choices=Source)
    tc_string: models.TextField[str, str] = models.TextField(
        blank=True, help_text=_("The IAB TCF consent string (tcf).")
    )
    page: models.CharField[str, str] = models.CharField(
        max_length=500, blank=True, help_text=_("The page's path.")
    )
    # The signed-in user's primary key, as text: a plain value rather than a foreign key, so
    # the app needs no django.contrib.auth (sites without it must still migrate) and a proof
    # outlives the account it names.
    user_pk: models.CharField[str, str] = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text=_("The signed-in user's primary key, when there was one."),
    )
    ip_address: models.GenericIPAddressField[str | None, str | None] = models.GenericIPAddressField(
        null=True, blank=True, help_text=_("Only with CONSENT['RECORD_IP'].")
    )
    created: models.DateTimeField[datetime, datetime] = models.DateTimeField(
        default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ("created", "pk")
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.consent_id} {self.action} {self.categories or '-'} ({self.created:%Y-%m-%d})"
