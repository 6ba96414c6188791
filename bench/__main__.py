"""Run the benchmarks: ``python -m bench [load] [impact] [soak] [--vms N]``."""

import argparse

from app.logs import configure_logging
from bench import impact, load, soak


def main() -> None:
    """Parse the arguments and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "which",
        nargs="*",
        default=["load", "impact"],
        choices=["load", "impact", "soak"],
    )
    parser.add_argument("--vms", type=int, help="size of the estate")
    parser.add_argument("--reload", action="store_true", help="reload the estate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=120, help="soak duration")
    parser.add_argument("--clients", type=int, default=8, help="soak clients")
    arguments = parser.parse_args()
    configure_logging("WARNING")
    if "load" in arguments.which:
        load.run(vms=arguments.vms or 30_000, seed=arguments.seed)
    if "impact" in arguments.which:
        impact.run(
            vms=arguments.vms or 300_000, seed=arguments.seed, reload=arguments.reload
        )
    if "soak" in arguments.which:
        soak.run(
            seconds=arguments.seconds,
            clients=arguments.clients,
            vms=arguments.vms or 3_000,
            seed=arguments.seed,
        )


if __name__ == "__main__":
    main()
