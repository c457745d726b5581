"""URL converters: an id in a URL is a positive 32-bit integer, so that a larger one is a 404 on every database
(PostgreSQL refuses to compare an INTEGER column with a number beyond its range, which would be a 500)."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 1 to 2,147,483,647; anything else does not match, and the answer is 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
