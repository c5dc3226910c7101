"""Retention: the optional self-description (age band, years here) is deleted a configured number
of days after the campaign ends (`glaswaende privacy purge`). The pins themselves stay."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from ..db import sql


@dataclass(frozen=True)
class PurgeReport:
    due_on: dt.date  # the first day the purge deletes
    purged: int  # pins whose self-description was (or, dry run, would be) deleted
    done: bool  # False before due_on, or in a dry run


def purge_due_on(campaign_end: dt.date, retention_days: int) -> dt.date:
    return campaign_end + dt.timedelta(days=retention_days + 1)


def purge_self_descriptions(conn: Connection, county_key: str, campaign_end: dt.date, retention_days: int,
                            today: dt.date, time_zone: str, dry_run: bool = False) -> PurgeReport:
    """Delete the self-descriptions of pins sent up to the end of the campaign (its last day, local
    time), once `retention_days` days after that day have passed."""
    due_on = purge_due_on(campaign_end, retention_days)
    sent_before = dt.datetime.combine(campaign_end + dt.timedelta(days=1), dt.time(), ZoneInfo(time_zone))
    act = today >= due_on and not dry_run
    row = conn.execute(sql("retention/self_descriptions_purge"), {
        "county_key": county_key, "sent_before": sent_before, "dry_run": not act}).one()
    if act:
        conn.execute(sql("retention/self_descriptions_purge_from_aggregates"), {"county_key": county_key})
    return PurgeReport(due_on, row.purged if act else row.due, act)
