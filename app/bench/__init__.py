"""Scale: a synthetic municipality for the benchmark (`flask demo synthetic`)."""
