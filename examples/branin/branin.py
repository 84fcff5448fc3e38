#!/usr/bin/env python3
"""Branin as a shell-command evaluator: parameters arrive as JSON on stdin (and in APIARY_PARAMS);
the last JSON line printed is the result.

    apiary worker --evaluator branin-py="python3 examples/branin/branin.py" --redis redis://localhost:6379
"""
import json
import math
import sys

p = json.load(sys.stdin)
x1, x2 = float(p["x1"]), float(p["x2"])
t = x2 - 5.1 / (4 * math.pi ** 2) * x1 ** 2 + 5 / math.pi * x1 - 6
print(json.dumps({"objective": t ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10}))
