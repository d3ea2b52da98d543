"""Delivery as a transfer process (传输过程): downloads, metered calls and computations."""
