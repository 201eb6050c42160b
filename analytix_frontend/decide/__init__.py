"""What runs on a page, and why: settings, the vendor table, load triggers, the request rules
and consent, composed into one decision per request (`decide.page`). Pure Python of
(settings, request); nothing here knows HTML, the panel or the server calls, which read it.
"""
