"""Size guards for BPMN expressions, in the manner of simpleeval: what could grow without bound is checked first.

`'x' * 99999999999`, `s = s + s` repeated, `"%999999999d" % 1`, `f"{x:>999999999}"` or squaring a number again
and again would pass the AST whitelist and then take the server's memory. `guard_tree` rewrites a checked tree so
that repetition, concatenation, string formatting and multiplication call the functions below, which refuse a
result over the limits before building it. `**` and `<<` need no guard: the whitelist refuses them outright.
"""

import ast
import copy
import math
import operator
import re
from collections.abc import Callable
from functools import reduce

# Characters of a string, or items through nested lists and dicts (strings counting their characters).
MAX_SIZE = 100_000
# Bits of an integer built by multiplication (a 4,096-bit integer has about 1,233 digits).
MAX_INT_BITS = 4096
# Width or precision in a format ("%10d", f"{x:>10}").
MAX_FORMAT_WIDTH = 1000
# Everything the guarded operations of one expression or script may build, all together.
MAX_RUN_SIZE = 1_000_000

_SEQUENCES = (str, bytes, list, tuple)
_NUMBERS = (int, float)
_FORMAT_NUMBER = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_CONVERSIONS: dict[int, Callable[[object], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}

# The names the rewritten code calls; BPMN authors cannot write them (names starting with "_" are refused).
MUL, ADD, MOD, FORMAT = "_guard_mul", "_guard_add", "_guard_mod", "_guard_format"
_GUARDED_OPS = {ast.Mult: MUL, ast.Add: ADD, ast.Mod: MOD}


class TooBig(ValueError):
    """An expression would build a value beyond the size guards; the message says what and the limit."""


def size_of(value: object, limit: int = MAX_SIZE) -> int:
    """Characters and items in `value`, through nested lists and dicts; counting stops just past `limit`."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) or 1
        elif isinstance(item, int):
            total += 1 + item.bit_length() // 4
        elif isinstance(item, dict | list | tuple | set | frozenset):
            total += 1
            if len(item) > limit:
                return limit + 1
            stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            total += 1
    return total


def plain_data_problem(value: object, limit: int = MAX_SIZE) -> str | None:
    """Why `value` cannot be kept as task data (not plain JSON, or larger than `limit`), or None."""
    if size_of(value, limit) > limit:
        return f"it holds more than {limit:,} characters or items"
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                return "a dict key is not a string"
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{item} is not a finite number"
        elif item is not None and not isinstance(item, str | int | float):
            return f"a {type(item).__name__} is not plain JSON data (text, numbers, true/false, lists, dicts)"
    return None


class _Allowance:
    """What the guarded operations of one run have built so far."""

    def __init__(self, limit: int = MAX_RUN_SIZE):
        self.limit = limit
        self.used = 0

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise TooBig(f"this expression builds more than {self.limit:,} characters or items in all")


def _checked_size(size: int, what: str) -> int:
    if size > MAX_SIZE:
        raise TooBig(f"{what} would hold at least {size:,} characters or items; the limit is {MAX_SIZE:,}")
    return size


def _repeat_size(sequence, times: int) -> int:
    if times <= 0:
        return 0
    if isinstance(sequence, str | bytes):
        return _checked_size(len(sequence) * times, "the repetition")
    items = size_of(sequence, MAX_SIZE // times + 1) - 1  # the list itself is not repeated, its items are
    return _checked_size(1 + items * times, "the repetition")


def _check_widths(spec: str, numbers: list[str]) -> None:
    for number in numbers:
        if number == "*":
            raise TooBig(f"a width or precision taken from the data ('*') is not allowed in {spec!r}")
        if number and int(number) > MAX_FORMAT_WIDTH:
            raise TooBig(f"width or precision {number} in {spec!r} is over the limit of {MAX_FORMAT_WIDTH}")


def guard_functions() -> dict[str, Callable]:
    """The guarded operations for one run of an expression or script, sharing one allowance."""
    allowance = _Allowance()

    def mul(left, right):
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TooBig(f"the product would have more than {MAX_INT_BITS} bits")
        elif isinstance(left, _SEQUENCES) and isinstance(right, int):
            allowance.spend(_repeat_size(left, right))
        elif isinstance(right, _SEQUENCES) and isinstance(left, int):
            allowance.spend(_repeat_size(right, left))
        return operator.mul(left, right)

    def add(left, right):
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            allowance.spend(_checked_size(size_of(left) + size_of(right), "the joined value"))
        return operator.add(left, right)

    def mod(left, right):
        if isinstance(left, str | bytes):
            text = left if isinstance(left, str) else left.decode("latin-1")
            for width, precision in _PERCENT_SPEC.findall(text):
                _check_widths(text, [width, precision])
            allowance.spend(_checked_size(len(left) + size_of(right), "the formatted text"))
        return operator.mod(left, right)

    def format_value(value, conversion: int, spec: str):
        _check_widths(spec, _FORMAT_NUMBER.findall(spec))
        allowance.spend(_checked_size(size_of(value), "the formatted text"))
        if conversion in _CONVERSIONS:
            value = _CONVERSIONS[conversion](value)
        return format(value, spec)

    def guarded_str(*args, **kwargs):
        if args:
            allowance.spend(_checked_size(size_of(args[0]), "the text"))
        return str(*args, **kwargs)

    def guarded_sum(items, start=0):
        items = list(items)
        if all(isinstance(item, _NUMBERS) for item in [start, *items]):
            return sum(items, start)
        return reduce(add, items, start)

    return {MUL: mul, ADD: add, MOD: mod, FORMAT: format_value, "str": guarded_str, "sum": guarded_sum}


GUARD_NAMES = frozenset(guard_functions())


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def _as_load(target: ast.expr) -> ast.expr:
    loaded = copy.deepcopy(target)
    loaded.ctx = ast.Load()
    return loaded


class _Guard(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        name = _GUARDED_OPS.get(type(node.op))
        return ast.copy_location(_call(name, node.left, node.right), node) if name else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        name = _GUARDED_OPS.get(type(node.op))
        if name is None:
            return node
        value = _call(name, _as_load(node.target), node.value)
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.FormattedValue:
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        guarded = _call(FORMAT, node.value, ast.Constant(node.conversion), spec)
        return ast.copy_location(ast.FormattedValue(value=guarded, conversion=-1, format_spec=None), node)


def guard_tree(tree: ast.AST) -> ast.AST:
    """Rewrite a checked tree so that its repetition, joining, formatting and multiplication are guarded."""
    return ast.fix_missing_locations(_Guard().visit(tree))
