"""A URLconf that forgot analytix_frontend.urls."""

urlpatterns: list[object] = []
