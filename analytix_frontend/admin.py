"""The app's admin; its classes live beside the models they show."""

from django.contrib import admin

from analytix_frontend.consent.admin import ConsentRecordAdmin
from analytix_frontend.consent.models import ConsentRecord
from analytix_frontend.server.admin import ServerCallAdmin
from analytix_frontend.server.models import ServerCall

admin.site.register(ConsentRecord, ConsentRecordAdmin)
admin.site.register(ServerCall, ServerCallAdmin)
