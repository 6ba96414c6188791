"""Run the benchmarks: ``python -m bench [load] [--vms N]``."""

import argparse

from app.logs import configure_logging
from bench import impact, incidents, load


def main() -> None:
    """Parse the arguments and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "which",
        nargs="*",
        default=["load", "impact"],
        choices=["load", "impact", "incidents"],
    )
    parser.add_argument("--vms", type=int, help="size of the estate")
    parser.add_argument("--reload", action="store_true", help="reload the estate")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    configure_logging("WARNING")
    if "load" in arguments.which:
        load.run(vms=arguments.vms or 30_000, seed=arguments.seed)
    if "incidents" in arguments.which:
        incidents.run(
            vms=arguments.vms or 30_000, seed=arguments.seed, reload=arguments.reload
        )
    if "impact" in arguments.which:
        impact.run(
            vms=arguments.vms or 300_000, seed=arguments.seed, reload=arguments.reload
        )


if __name__ == "__main__":
    main()
