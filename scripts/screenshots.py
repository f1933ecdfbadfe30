"""Screenshots of the main pages for the README: `make screenshots`.

Serves the app with the demo data from a throwaway SQLite database and opens each page in
Debian's Chromium (Playwright with `executable_path`), signed in where the page needs it,
in Finnish at 1280 x 900. Writes PNG files to docs/screenshots/.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.demo import DEMO_PASSWORD  # noqa: E402
from app.extensions import db  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state()


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="digione-shots-"))
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'demo.sqlite'}")
    from app import register_migrations

    register_migrations(app, always=True)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    if result.exit_code:
        raise SystemExit(f"demo load failed: {result.output}")
    with app.app_context():
        from governance.steering.models import Meeting
        from marketplace.catalogue.models import CatalogueEntry

        meeting_id = db.session.scalar(
            sa.select(Meeting.id)
            .where(Meeting.status == "minutes_approved")
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        ) or db.session.scalar(sa.select(Meeting.id).order_by(Meeting.id).limit(1))
        slug = db.session.scalar(sa.select(CatalogueEntry.slug).where(CatalogueEntry.name == "Matikkamestari"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    shots = [
        (None, "home", "/"),
        (None, "catalogue", "/catalogue?q=matematiikka&level=grades_7_9&standard=mpassid"),
        (None, "service", f"/catalogue/{slug}"),
        ("applicant@example.com", "application", "/join/summary"),
        (None, "meeting", f"/meetings/{meeting_id}"),
        (None, "register", "/register"),
        ("buyer.espoo@example.com", "procurement", "/procurement/orders"),
        ("coordinator@example.com", "dashboard-ecosystem", "/dashboards/ecosystem"),
        ("buyer.vantaa@example.com", "dashboard-municipality", "/dashboards/municipality"),
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for who, name, path in shots:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
            page = context.new_page()
            if who:
                sign_in(page, base, who)
            page.goto(f"{base}{path}")
            page.screenshot(path=str(OUT / f"{name}.png"))
            print(f"docs/screenshots/{name}.png  {path}")
            context.close()
        browser.close()
    server.shutdown()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
