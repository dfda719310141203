"""The shared core: settings, errors, records, text tools and the offline models. Imports nothing of ours."""

import os

# torch and llama.cpp use OpenMP, whose idle threads spin by default. With the embedder, the web server
# and the answer model sharing 2 cores, spinning threads starve the ones doing work: measured 2.6x faster
# embedding under load with passive waiting (the OMP-passive variant of benchmarks/bench_ingest.py).
# Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
