"""Side-by-side speed measurements: ``python -m benchmarks`` (or ``make bench``)."""
