"""Submitting a change on the hosts of one cluster, among many planned changes.

Builds (or reuses) the demo estate, schedules ``CHANGES`` single-host
changes spread over a month, then for sampled clusters creates a change on
all of the cluster's hosts and measures, in the same run:

- submitting it: the planned blast radius, its risk class and storing both
  with the change, then finding its conflicts (the service's whole answer);
- the bare ``analyse_impact`` in planned mode for the same targets (the
  baseline), and the ratio of the two.
"""

import random
import statistics
from datetime import UTC, datetime, timedelta

from app.domain.access import Role
from app.domain.records import WriteContext
from app.impact import Mode
from app.services import changes
from app.services.impact import StartSpec, analyse_impact
from app.services.runtime import Runtime
from bench.common import active_ids, console, open_runtime, print_table, timed
from bench.impact import ensure_estate

CHANGES = 1_000
CLUSTER_SAMPLES = 8
MONTH_START = datetime(2027, 1, 1, tzinfo=UTC)
MONTH = timedelta(days=30)
REQUESTER = WriteContext(actor="bench-requester", source="bench")
APPROVER = WriteContext(actor="bench-approver", source="bench")


def run(vms: int, seed: int, reload: bool = False, scheduled: int = CHANGES) -> None:
    """Measure change submission over an estate of about ``3.3 * vms`` CIs."""
    runtime = open_runtime()
    try:
        ensure_estate(runtime, vms, seed, reload)
        rng = random.Random(seed)
        _ensure_scheduled_changes(runtime, rng, scheduled)
        rows = [_measure(runtime, rng, cluster) for cluster in _clusters(runtime, rng)]
    finally:
        runtime.close()
    _print(vms, scheduled, rows)


def _ensure_scheduled_changes(runtime: Runtime, rng: random.Random, count: int) -> None:
    stored = changes.list_changes(runtime, states=["scheduled"], first=500)
    have = len(stored.items)
    while stored.next_cursor and have < count:
        stored = changes.list_changes(
            runtime, states=["scheduled"], first=500, after=stored.next_cursor
        )
        have += len(stored.items)
    if have >= count:
        console.print(f"Reusing {have:,} scheduled changes")
        return
    hosts = active_ids(runtime, "Host")
    seconds, _ = timed(
        lambda: [_schedule_one(runtime, rng, hosts) for _ in range(count - have)]
    )
    console.print(f"Scheduled {count - have:,} changes in {seconds:.0f} s")


def _schedule_one(runtime: Runtime, rng: random.Random, hosts: list[str]) -> None:
    start, end = _window(rng, hours=rng.choice((1, 2, 4)))
    draft = changes.ChangeDraft("Patch host", [rng.choice(hosts)], start, end)
    change = changes.create_change(runtime, draft, REQUESTER)
    changes.submit_change(runtime, change["id"], REQUESTER)
    approver_roles = [Role.CHANGE_MANAGER]
    changes.approve_change(runtime, change["id"], APPROVER, approver_roles)
    if changes.get_change(runtime, change["id"])["state"] == "submitted":
        second = WriteContext(actor="bench-second-approver", source="bench")
        changes.approve_change(runtime, change["id"], second, [])
    changes.transition_change(runtime, change["id"], "schedule", REQUESTER)


def _window(rng: random.Random, hours: int) -> tuple[datetime, datetime]:
    start = MONTH_START + timedelta(
        hours=rng.randrange(int(MONTH.total_seconds() // 3600))
    )
    return start, start + timedelta(hours=hours)


def _clusters(runtime: Runtime, rng: random.Random) -> list[list[str]]:
    clusters = active_ids(runtime, "Cluster")
    chosen = rng.sample(clusters, min(CLUSTER_SAMPLES, len(clusters)))
    found = []
    for cluster_id in chosen:
        rows = runtime.db.read(
            "cluster_hosts", cluster_id=cluster_id, retired="retired"
        )
        if rows:
            found.append([row["id"] for row in rows])
    return found


def _measure(runtime: Runtime, rng: random.Random, hosts: list[str]) -> dict:
    start, end = _window(rng, hours=2)
    draft = changes.ChangeDraft("Upgrade cluster", hosts, start, end)
    change = changes.create_change(runtime, draft, REQUESTER)
    submit_s, submitted = timed(
        lambda: changes.submit_change(runtime, change["id"], REQUESTER)
    )
    conflicts_s, conflicts = timed(
        lambda: changes.change_conflicts(runtime, change["id"])
    )
    bare_s, report = timed(
        lambda: analyse_impact(
            runtime, [StartSpec(id=h) for h in hosts], mode=Mode.PLANNED
        )
    )
    changes.transition_change(runtime, change["id"], "cancel", REQUESTER)
    return {
        "hosts": len(hosts),
        "affected": len(report.result.affected),
        "risk": submitted["risk"],
        "conflicts": len(conflicts.changes),
        "submit": submit_s,
        "conflicts_s": conflicts_s,
        "total": submit_s + conflicts_s,
        "bare": bare_s,
    }


def _print(vms: int, scheduled: int, rows: list[dict]) -> None:
    table = [
        [
            f"{r['hosts']} hosts",
            f"{r['affected']:,}",
            r["risk"],
            str(r["conflicts"]),
            f"{r['submit'] * 1000:.0f}",
            f"{r['conflicts_s'] * 1000:.0f}",
            f"{r['total'] * 1000:.0f}",
            f"{r['bare'] * 1000:.0f}",
            f"{r['total'] / r['bare']:.2f}",
        ]
        for r in rows
    ]
    median = statistics.median
    table.append(
        [
            "median",
            f"{median(r['affected'] for r in rows):,.0f}",
            "",
            f"{median(r['conflicts'] for r in rows):.0f}",
            f"{median(r['submit'] for r in rows) * 1000:.0f}",
            f"{median(r['conflicts_s'] for r in rows) * 1000:.0f}",
            f"{median(r['total'] for r in rows) * 1000:.0f}",
            f"{median(r['bare'] for r in rows) * 1000:.0f}",
            f"{median(r['total'] / r['bare'] for r in rows):.2f}",
        ]
    )
    print_table(
        f"Change on one cluster's hosts, estate of {vms:,} VMs, "
        f"{scheduled:,} scheduled changes (ms)",
        ["change", "affected", "risk", "conflicts", "submit", "find conflicts",
         "total", "bare analyse_impact", "total/bare"],
        table,
    )  # fmt: skip
