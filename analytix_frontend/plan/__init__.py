"""The tracking plan: every event a site tracks, and the contact properties its server side
sets, declared in one file (`ANALYTICS_CONFIG["PLAN"]`), checked before deploy (system checks,
`manage.py analytix_plan check`) and at run time, in the page and on the server alike
(`ANALYTICS_CONFIG["PLAN_POLICY"]`). See docs/plan.md.

    parser.py    YAML or a dict -> model.Plan, with file and line for every problem
    validate.py  the one validator (jsonschema), shared by checks, run time and tests
    vendors.py   what GA4, Meta, HubSpot and Kissmetrics would drop or rewrite
    scan.py      events and contact properties found in templates, static JS and Python
    runtime.py   the server's run-time check; browser.py what the page's check gets
    export.py    csv, jsonschema; directory.py md, html; typegen.py TypeScript, TypedDicts
    remote.py    HubSpot's contact properties (`analytix_plan check --remote`)

Its system checks are analytix_frontend/checks/plan.py; its command, analytix_plan.
"""
