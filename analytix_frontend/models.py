"""The app's models, defined where they are used (Django finds them through this module)."""

from analytix_frontend.consent.models import ConsentRecord

__all__ = ["ConsentRecord"]
