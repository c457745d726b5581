"""Plumbing every feature shares: the unit of work, how refusals are shown, and logging."""
