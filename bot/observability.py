"""Prometheus metrics (prometheus-client) and the /healthz report for the webhook server and `pandeng health`."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from handlers.observe import UpdateRecord
from storage.db import Database
from storage.health import db_figures, health_report
from storage.models import utcnow

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """One registry per runtime (tests can build several); updates are counted as they are handled."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.registry = CollectorRegistry()
        self.updates = Counter("pandeng_updates_total", "Updates handled, by capability and outcome (ok, error, stale)",
                               ["capability", "outcome"], registry=self.registry)
        self.latency = Histogram("pandeng_handler_seconds", "Time to handle one update, by capability", ["capability"],
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=self.registry)
        self.outbox = Gauge("pandeng_outbox_rows", "Outbox notifications by status (sent, pending, failed, blocked, ...)",
                            ["status"], registry=self.registry)
        self.retried = Gauge("pandeng_outbox_retried_rows", "Outbox notifications that needed more than one attempt",
                             registry=self.registry)
        self.reminders = Gauge("pandeng_reminders_queued", "Reminders queued so far (reminder_log rows)", registry=self.registry)
        self.up = Gauge("pandeng_database_up", "1 when the database answered the last scrape", registry=self.registry)

    def observe(self, record: UpdateRecord) -> None:
        """A Dispatcher observer: count the update and its latency."""
        self.updates.labels(record.capability, record.outcome).inc()
        self.latency.labels(record.capability).observe(record.seconds)

    async def render(self) -> bytes:
        """The exposition text, with the database figures read now."""
        try:
            async with self.db.session() as session:
                figures = await db_figures(session)
        except Exception:  # a scrape must answer even when the database does not
            self.up.set(0)
        else:
            self.up.set(1)
            for status in ("pending", "sent", "failed", "blocked", "undeliverable"):
                self.outbox.labels(status).set(figures.get(f"outbox_{status}", 0))
            self.retried.set(figures["outbox_retried"])
            self.reminders.set(figures["reminders_queued"])
        return generate_latest(self.registry)

    async def health(self) -> dict:
        """The /healthz body."""
        return await health_report(self.db, utcnow())
