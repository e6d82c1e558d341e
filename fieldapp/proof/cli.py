"""`draw-sample`: the weekly verification draw of every commune's running campaign, for a
scheduler (cron or the worker) to run on Mondays; the sample page also draws a week that
has ended when it is opened."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from ..campaigns.services import current_campaign
from ..extensions import db
from ..register.models import Commune
from ..timeutil import utcnow
from . import sample


@click.command("draw-sample")
@click.option("--now", "until_now", is_flag=True, help="Draw up to now, not only the weeks that have ended.")
def draw_sample_command(until_now: bool):
    """Draw the verification sample of each commune's current campaign."""
    for commune in db.session.scalars(sa.select(Commune).order_by(Commune.code)):
        campaign = current_campaign(commune_id=commune.id)
        if campaign is None:
            continue
        made = sample.draw(commune.id, campaign, utcnow() if until_now else sample.week_start())
        db.session.commit()
        sampled = 0 if made is None else sum(
            1 for _item in db.session.scalars(sa.select(sample.Verification.id).where(sample.Verification.draw_id == made.id)))
        click.echo(_("%(commune)s: %(n)s households drawn to verify.", commune=commune.name, n=sampled))


COMMANDS = [draw_sample_command]
