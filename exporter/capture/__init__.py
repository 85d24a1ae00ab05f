"""Capture one pass over the Mist API into a directory, optionally anonymised."""
