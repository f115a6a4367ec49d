#!/usr/bin/env python3
"""Per-operator time of one PyTorch training step of the reference AlexNet.

Runs shared/reference/torch_alexnet_bench.py as it is (so the network is exactly the reference's),
takes its model and train_step, then profiles a few more steps with torch.profiler and prints one
JSON line per operator: name, self CPU time per step (ms), share of the step.

Usage: torch_breakdown.py REFERENCE_SCRIPT [batch=32] [steps=2] [threads=2]
"""
import contextlib
import io
import json
import runpy
import sys

import torch

ref = sys.argv[1]
batch = sys.argv[2] if len(sys.argv) > 2 else "32"
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 2
threads = sys.argv[4] if len(sys.argv) > 4 else "2"
sys.argv = [ref, batch, "1", threads]
with contextlib.redirect_stdout(io.StringIO()):
    g = runpy.run_path(ref, run_name="__main__")
g["model"].train()

with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
    for _ in range(steps):
        g["train_step"]()
events = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
total = sum(e.self_cpu_time_total for e in events)
for e in sorted(events, key=lambda e: -e.self_cpu_time_total)[:15]:
    print(json.dumps({"engine": "pytorch", "batch": int(batch), "op": e.key,
                      "ms_per_step": round(e.self_cpu_time_total / 1000 / steps, 1),
                      "share": round(e.self_cpu_time_total / total, 3)}))
