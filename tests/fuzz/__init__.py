"""Property-based fuzzing (Hypothesis) of every form and every endpoint.

The tests: test_groups.py (each group fuzzed), test_blueprints.py (every route is in a group) and
test_regressions.py (what the fuzz found). The machinery: budget.py (how much), groups.py (which routes
together, by whom), values.py (hostile and plausible values, the forms drawn from them), forms.py (the
fields of each route), checks.py (the properties) and runner.py (one group's run).

The targets come from the app itself: every route of ``app.url_map`` (its URL from the access matrix's
builder), grouped by blueprint. A POST route's fields are those of the WTForms classes its view uses, the
``request.form`` keys its code reads and the ``name=`` attributes of the forms on the pages that post to
it; a GET route's parameters are the ``request.args`` keys its code reads, the fields of the GET forms
that lead to it and, for the open data API, the parameters of its OpenAPI description; junk comes on top.
Each group builds the matrix's objects once and fuzzes each route as someone who may use it (per the
matrix), so the values reach validation and the services rather than a 403.

Properties, for random and hostile values (long strings, control characters, odd Unicode, HTML and
script payloads, SQL fragments, wrong types, missing and extra fields):

- no answer is a server error (5xx), and no redirect leaves the site;
- a rejected form answers 4xx (or 200) with an error in the user's language, or redirects with a
  translated error message, and leaves every table as it was (nothing half-saved);
- no page holds an executable ``<script>``, event handler or ``javascript:`` URL: neither the answers to
  the fuzz (reflected) nor, afterwards, the pages that show what was stored; no URL column holds anything
  but a web address, and no CSV cell starts a spreadsheet formula.

Runs are repeatable (``derandomize=True``). ``FUZZ_SCALE=5`` multiplies the examples for a deeper local run,
``FUZZ_SHRINK=1`` shrinks a failing example, ``FUZZ_DEBUG=1`` (with ``-s``) prints what each target answered.
"""
