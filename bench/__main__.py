"""Run the benchmarks: ``python -m bench [load] [--vms N]``."""

import argparse

from app.logs import configure_logging
from bench import load


def main() -> None:
    """Parse the arguments and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("which", nargs="*", default=["load"], choices=["load"])
    parser.add_argument("--vms", type=int, default=30_000, help="size of the estate")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    configure_logging("WARNING")
    if "load" in arguments.which:
        load.run(vms=arguments.vms, seed=arguments.seed)


if __name__ == "__main__":
    main()
