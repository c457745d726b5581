"""Plumbing every feature shares: the unit of work, how refusals are shown, logging, and PDF rendering."""
