"""Synchronisers that keep the graph true to outside systems."""
