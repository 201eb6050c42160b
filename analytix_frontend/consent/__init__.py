"""Consent beyond the decision (which `decide/consent.py` makes): proof records of each
decision and their endpoint, the admin, export and purge, the next-response deletion of
declined vendors' cookies, and the optional banner's and privacy status's rendering.

One small module per concern; they read `decide/` (the settings, the request's one decision)
and `page/` (the config's helpers), which never import this package.
"""
