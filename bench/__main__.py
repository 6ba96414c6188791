"""Run the benchmarks: ``python -m bench [load|impact|...] [--vms N] ...``."""

import argparse

from app.logs import configure_logging
from bench import changes, impact, incidents, load, soak, vsphere

BENCHMARKS = ["load", "impact", "vsphere", "incidents", "changes", "soak"]


def main() -> None:
    """Parse the arguments and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "which", nargs="*", default=["load", "impact"], choices=BENCHMARKS
    )
    parser.add_argument("--vms", type=int, help="size of the estate")
    parser.add_argument("--reload", action="store_true", help="reload the estate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=120, help="soak duration")
    parser.add_argument("--clients", type=int, default=8, help="soak clients")
    parser.add_argument(
        "--starts",
        help="impact: comma-separated start types to measure "
        "(default Host,Datastore,StorageArray,Site)",
    )
    arguments = parser.parse_args()
    configure_logging("WARNING")
    vms, seed, reload = arguments.vms, arguments.seed, arguments.reload
    if "load" in arguments.which:
        load.run(vms=vms or 30_000, seed=seed)
    if "impact" in arguments.which:
        types = arguments.starts.split(",") if arguments.starts else None
        impact.run(vms=vms or 300_000, seed=seed, reload=reload, types=types)
    if "vsphere" in arguments.which:
        vsphere.run(vms=vms or 2000)
    if "incidents" in arguments.which:
        incidents.run(vms=vms or 30_000, seed=seed, reload=reload)
    if "changes" in arguments.which:
        changes.run(vms=vms or 30_000, seed=seed, reload=reload)
    if "soak" in arguments.which:
        soak.run(
            seconds=arguments.seconds,
            clients=arguments.clients,
            vms=vms or 3_000,
            seed=seed,
        )


if __name__ == "__main__":
    main()
