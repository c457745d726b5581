"""Plumbing every feature shares: the unit of work and how refusals are shown."""
