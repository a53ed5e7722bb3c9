"""smalto benchmarks: each prints its figure, a same-run baseline and their ratio."""
