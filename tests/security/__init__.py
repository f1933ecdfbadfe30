"""Security checks (issue "Reliability and security", item 6), one file per theme.

What tests/app/test_security.py, test_auth.py and test_password_reset.py already prove is not repeated
here; these files extend each check to *every* route, field and response it applies to:

- CSRF on every state-changing route of app.url_map (the Stripe webhook, which is verified by
  signature, is the only exemption), with a plausible form from a user who may use the route: 400
  with the Finnish explanation and not one row of any table changed; the same form with the token is
  then accepted (test_csrf.py; the forms are in cases.py);
- the remember-me and signed-in session cookies of the production config (test_cookies.py);
- security headers on every response: every GET route of the access matrix for anonymous and
  signed-in people, error pages, API JSON, files, static files, redirects (test_headers.py; every
  test here checks the headers of what it gets, and conftest.py counts them);
- login throttling per address and account together (a stranger never locks the owner out) and,
  more broadly, per address; the 429 page says when to try again (test_login_throttling.py);
- password reset links: single use on POST too, one use kills the others, a password change kills
  them, inactive accounts, purposes and keys, the expiry edge (test_reset_links.py);
- open redirects refused at every place that takes a target (test_redirects.py);
- every upload field checked by content and size, nothing stored when refused (test_uploads.py);
- every rich-text (Markdown) field free of script where it is shown (test_rich_text.py);
- no stack traces, exception texts, paths or secrets in error pages or API errors (test_error_pages.py).
"""
