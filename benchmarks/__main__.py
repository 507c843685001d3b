"""``python -m benchmarks [core ...]``: run the benchmark suites and print Markdown tables."""

import argparse

from . import core, walkthrough, widgets


def _torch():
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: its columns are left out (pip install torch==2.13.0)")
        return None
    return torch


SUITES = {"core": core.run, "walkthrough": walkthrough.run, "widgets": widgets.run}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"some of: {', '.join(SUITES)} (default: all)")
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    unknown = sorted(set(args.suites) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}: choose from {', '.join(SUITES)}")
    torch = _torch()
    for name in args.suites or list(SUITES):
        SUITES[name](torch=torch, rounds=args.rounds)


if __name__ == "__main__":
    main()
