"""Từng Nhà (fieldapp): door-to-door warning records for commune police, offline first."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

# Every feature is a folder with a `routes.bp` blueprint; the order only matters for the nav.
FEATURES = (
    "auth",
    "villages",
    "households",
    "visits",
    "sync",
    "coverage",
    "reports",
    "register",
    "campaigns",
    "accountability",
    "proof",
    "photos",
    "ops",
    "changes",
    "tiles",
    "downloads",
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; `test_config` overrides settings read from the environment."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    from . import config, paging
    from .auth.scoping import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # an out-of-range id answers 404, not 500
    app.jinja_env.globals["page_url"] = paging.page_url

    config.load(app, test_config)

    from . import cli, errors, extensions, i18n, jobs, labels, models, nav, pwa, security  # noqa: F401 (models: for Alembic)
    from .auth import permissions
    from .ops import requestlog

    requestlog.init_app(app)
    extensions.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    nav.init_app(app)
    security.init_app(app)
    permissions.init_app(app)  # after CSRF's check, so a forged post answers 403 before the login
    errors.init_app(app)
    cli.init_app(app)
    pwa.init_app(app)

    from importlib import import_module

    for name in FEATURES:
        app.register_blueprint(import_module(f"{__name__}.{name}.routes").bp)
    jobs.load_tasks(FEATURES)
    return app
