"""The app's admin; its classes live beside the models they show."""

from django.contrib import admin

from analytix_frontend.consent.admin import ConsentRecordAdmin
from analytix_frontend.consent.models import ConsentRecord

admin.site.register(ConsentRecord, ConsentRecordAdmin)
