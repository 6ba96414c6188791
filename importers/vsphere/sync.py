"""Sync one vCenter into the graph: extract, transform, plan, write.

The inventory is read completely before anything is planned, so a vCenter
that fails half way writes nothing. Planning and writing are the generic
source reconciliation of ``app.services.sync``; the vCenter's scope is every
CI keyed ``<vcenter-id>`` or ``<vcenter-id>:<moref>`` of the vSphere types.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from app.domain.records import WriteContext
from app.services import drift
from app.services import sync as source_sync
from app.services.runtime import Runtime
from app.services.sync import NoProgress, Progress, SyncReport, SyncScope
from app.settings import VCenterSettings
from importers.vsphere import extract, transform

logger = logging.getLogger(__name__)

ACTOR = "importer:vsphere"
PHASES = ("extract", "transform", "plan", "write")

Result = TypeVar("Result")


@dataclass(frozen=True)
class VCenterSyncReport:
    """The outcome of syncing one vCenter, with the time of every phase."""

    vcenter_id: str
    objects: int
    outcome: SyncReport
    extract_seconds: float
    transform_seconds: float
    seconds: float

    @property
    def load_seconds(self) -> float:
        """Time spent comparing with the graph and writing the differences."""
        return self.outcome.plan_seconds + self.outcome.write_seconds


def source_name(vcenter_id: str) -> str:
    """Return the history source of a vCenter: ``vsphere:<vcenter-id>``."""
    return f"vsphere:{vcenter_id}"


def vcenter_scope(vcenter_id: str, grace_period: timedelta) -> SyncScope:
    """Return the part of the graph that one vCenter owns."""
    return SyncScope(
        source=source_name(vcenter_id),
        key_prefix=vcenter_id,
        types=transform.CI_TYPES,
        relationships=transform.MANAGED_RELATIONSHIPS,
        grace_period=grace_period,
    )


def sync_vcenter(
    runtime: Runtime,
    vcenter: VCenterSettings,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
    progress: Progress | None = None,
) -> VCenterSyncReport:
    """Read a vCenter completely, then bring its scope of the graph in line.

    Raises ``VSphereError`` with a one-line message when the vCenter cannot
    be read; nothing is written then.
    """
    started = time.perf_counter()
    progress = progress or NoProgress()
    settings = runtime.settings
    extract_seconds, inventory = _phase(
        progress,
        "extract",
        lambda: extract.read_inventory(
            vcenter,
            page_size=settings.vsphere_page_size,
            timeout_s=settings.vsphere_timeout_s,
            on_page=lambda objects: progress.advance("extract", objects),
        ),
    )
    transform_seconds, document = _phase(
        progress, "transform", lambda: transform.to_document(inventory)
    )
    context = _context(vcenter.id, at)
    outcome = source_sync.reconcile(
        runtime,
        document,
        vcenter_scope(vcenter.id, settings.sync_grace_period),
        context,
        dry_run=dry_run,
        progress=progress,
    )
    if outcome.writes and not outcome.dry_run:
        drift.detect_unauthorised_changes(runtime, request_id=context.request_id)
    report = VCenterSyncReport(
        vcenter_id=vcenter.id,
        objects=len(inventory.objects),
        outcome=outcome,
        extract_seconds=round(extract_seconds, 3),
        transform_seconds=round(transform_seconds, 3),
        seconds=round(time.perf_counter() - started, 3),
    )
    _log(report)
    return report


def _phase(
    progress: Progress, name: str, work: Callable[[], Result]
) -> tuple[float, Result]:
    progress.start(name)
    started = time.perf_counter()
    result = work()
    progress.finish(name)
    return time.perf_counter() - started, result


def _context(vcenter_id: str, at: datetime | None) -> WriteContext:
    if at is None:
        return WriteContext(actor=ACTOR, source=source_name(vcenter_id))
    return WriteContext(actor=ACTOR, source=source_name(vcenter_id), at=at)


def _log(report: VCenterSyncReport) -> None:
    outcome = report.outcome
    logger.info(
        "Synced vCenter %s%s: %d objects read; %d CIs created, %d updated, "
        "%d moved, %d retired, %d missing, %d unchanged; %d relationships "
        "created, %d removed; %d writes; %.2f s (extract %.2f, plan %.2f, "
        "write %.2f)",
        report.vcenter_id,
        " (dry run)" if outcome.dry_run else "",
        report.objects,
        outcome.created,
        outcome.updated,
        outcome.moved,
        outcome.retired,
        outcome.missing,
        outcome.unchanged,
        outcome.relationships_created,
        outcome.relationships_deleted,
        outcome.writes,
        report.seconds,
        report.extract_seconds,
        outcome.plan_seconds,
        outcome.write_seconds,
    )
