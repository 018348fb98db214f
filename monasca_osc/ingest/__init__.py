"""Bulk metric ingest."""
