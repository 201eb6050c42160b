"""The app's models, defined where they are used (Django finds them through this module)."""

from analytix_frontend.consent.models import ConsentRecord
from analytix_frontend.server.models import ServerCall

__all__ = ["ConsentRecord", "ServerCall"]
