"""Who may see and do what: loaders that answer 404 (loaders.py), the lanes (lanes.py), the role policy (roles.py)
and the visibility of each resource, as a Python predicate and as SQL (visibility.py)."""
