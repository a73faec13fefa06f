#!/usr/bin/env python3
"""Write a deterministic stream of order-book operations, the common workload for book benchmarks.

Usage: python bench/orderstream.py [--ops N] [--seed S] > stream.txt

(Brought into the repository from the project's shared benchmark folder, where the book
benchmarks of this project started; same generator, same streams for the same seed.)

One operation a line, integers only (prices in ticks, quantities in lots):
    L <order id> <B|S> <price> <qty>    a resting limit order (it may cross and trade)
    M <order id> <B|S> <qty>            a market order (takes liquidity, never rests)
    C <order id>                         cancel an order placed earlier (it may be gone already)
The mix is about 60% limit, 28% cancel, 12% market, around a mid price that drifts as a random walk,
so the book keeps a realistic depth of a few hundred orders across tens of price levels.
"""

import argparse
import random
import sys


def stream(ops: int, seed: int):
    rng = random.Random(seed)
    mid = 100_000
    live: list[int] = []
    next_id = 1
    for _ in range(ops):
        mid += rng.choice((-1, 0, 0, 1))
        r = rng.random()
        if r < 0.60 or not live:
            side = "B" if rng.random() < 0.5 else "S"
            offset = int(rng.expovariate(1 / 8))
            price = mid - 1 - offset if side == "B" else mid + 1 + offset
            if rng.random() < 0.08:  # an aggressive limit that crosses the spread
                price = mid + 3 if side == "B" else mid - 3
            yield f"L {next_id} {side} {price} {rng.randint(1, 20)}"
            live.append(next_id)
            next_id += 1
        elif r < 0.88:
            oid = live.pop(rng.randrange(len(live)))
            yield f"C {oid}"
        else:
            side = "B" if rng.random() < 0.5 else "S"
            yield f"M {next_id} {side} {rng.randint(1, 40)}"
            next_id += 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ops", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    out = sys.stdout
    for line in stream(a.ops, a.seed):
        out.write(line + "\n")


if __name__ == "__main__":
    main()
