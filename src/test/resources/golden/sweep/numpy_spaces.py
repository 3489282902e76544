#!/usr/bin/env python3
"""Golden values for SweepSpacesTest: numpy.linspace and numpy.logspace, printed with repr (the exact double).

Run from the repository root: python3 src/test/resources/golden/sweep/numpy_spaces.py > \
    src/test/resources/golden/sweep/numpy_spaces.csv
"""
import numpy as np

CASES = [
    ("logspace", -5, 0, 10),   # the seed article's learning_rate grid
    ("linspace", 0.1, 0.9, 10),  # the seed article's gamma grid
    ("logspace", -3, 0, 3),
    ("logspace", -4.5, -1.5, 7),
    ("linspace", 0, 1, 7),
    ("linspace", -2.5, 3.25, 4),
    ("linspace", 0.3, 0.3, 3),
    ("linspace", 2, 5, 1),
]

print("function,start,stop,num,values")
for name, a, b, n in CASES:
    values = getattr(np, name)(a, b, n)
    print(f"{name},{a},{b},{n}," + " ".join(repr(float(v)) for v in values))
