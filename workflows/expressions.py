"""Safe BPMN expressions: an AST whitelist, and the SpiffWorkflow script engine that enforces it on every run."""

import ast
import textwrap
from functools import lru_cache
from types import CodeType
from typing import Literal

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .guards import GUARD_NAMES, TooBig, guard_functions, guard_tree, plain_data_problem
from .helpers import HELPER_NAMES, Clock, make_helpers, utc_now
from .timers import DEFAULT_MAX_TIMER

Mode = Literal["eval", "exec"]

MAX_EXPRESSION_CHARS = 10_000

_ALLOWED_NODES = (
    ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.Pass,
    ast.Name, ast.Load, ast.Store, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.IfExp, ast.Call, ast.keyword, ast.Subscript, ast.Slice, ast.JoinedStr, ast.FormattedValue,
)  # fmt: skip

_REFUSED_WHY = {
    ast.Attribute: "attribute access (x.y) is not allowed; use x['y'] for data",
    ast.Import: "imports are not allowed",
    ast.ImportFrom: "imports are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.FunctionDef: "defining functions is not allowed",
    ast.AsyncFunctionDef: "defining functions is not allowed",
    ast.ClassDef: "defining classes is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.For: "loops are not allowed",
    ast.While: "loops are not allowed",
    ast.Pow: "the ** operator is not allowed (unbounded work)",
    ast.LShift: "shift operators are not allowed (unbounded work)",
    ast.Delete: "del is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.NamedExpr: "the := operator is not allowed",
}

# Parts of constructs that are refused as a whole; reporting them too would only add noise.
_SILENT_NODES = (ast.alias, ast.arguments, ast.arg, ast.comprehension)

# Empty __builtins__ already hides these; naming them gives authors a clear message at validation time.
_FORBIDDEN_NAMES = frozenset({
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "hasattr", "globals", "locals", "vars",
    "dir", "type", "object", "super", "input", "breakpoint", "help", "memoryview", "classmethod", "staticmethod",
    "property", "exit", "quit", "print",
})  # fmt: skip


class UnsafeExpression(ValueError):
    """An expression or script broke the expression rules; `problems` lists how."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"unsafe expression {source!r}: {'; '.join(problems)}")


def _normalise(source: str) -> str:
    return textwrap.dedent(source).strip()


def _node_problems(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            return [f"name {node.id!r} is not allowed (names starting with '_' are reserved)"]
        if node.id in _FORBIDDEN_NAMES:
            return [f"name {node.id!r} is not allowed"]
        if isinstance(node.ctx, ast.Store) and node.id in HELPER_NAMES:
            return [f"cannot assign to {node.id!r}, it is a helper function"]
        return []
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and (node.func.id.startswith("_") or node.func.id in _FORBIDDEN_NAMES):
            return []  # the name itself is reported
        if not isinstance(node.func, ast.Name) or node.func.id not in HELPER_NAMES:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            return [f"calling {called!r} is not allowed; allowed functions: {', '.join(sorted(HELPER_NAMES))}"]
        return []
    if isinstance(node, ast.keyword) and (node.arg is None or node.arg.startswith("_")):
        return ["keyword unpacking and '_' keywords are not allowed"]
    if isinstance(node, _ALLOWED_NODES + _SILENT_NODES):
        return []
    return [_REFUSED_WHY.get(type(node), f"{type(node).__name__} is not allowed")]


def check_expression(source: str, mode: Mode = "eval") -> list[str]:
    """Return human-readable reasons why `source` may not run (empty if it is allowed)."""
    if not isinstance(source, str) or not source.strip():
        return ["expression is empty"]
    if len(source) > MAX_EXPRESSION_CHARS:
        return [f"expression is longer than {MAX_EXPRESSION_CHARS} characters"]
    try:
        tree = ast.parse(_normalise(source), mode=mode)
    except SyntaxError as exc:
        return [f"syntax error at line {exc.lineno}: {exc.msg}"]
    except (RecursionError, MemoryError, ValueError):
        return ["expression is too deeply nested or otherwise unparsable"]
    problems: list[str] = []
    for node in ast.walk(tree):
        for problem in _node_problems(node):
            if problem not in problems:
                problems.append(problem)
    return problems


@lru_cache(maxsize=2048)
def compile_safe(source: str, mode: Mode = "eval") -> CodeType:
    """Compile `source` after checking it, with its size guards in place (see guards.py), or raise UnsafeExpression."""
    problems = check_expression(source, mode)
    if problems:
        raise UnsafeExpression(source, problems)
    return compile(guard_tree(ast.parse(_normalise(source), mode=mode)), "<bpmn>", mode)


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Runs checked code with no builtins: only task data and the whitelisted helpers are visible."""

    def __init__(self, clock: Clock = utc_now):
        super().__init__(make_helpers(clock))

    def _namespace(self, context: dict, external_context: dict | None) -> dict:
        # Helpers and guards win over task data so a form field called "today" cannot shadow the function.
        return {**(external_context or {}), **context, **self.globals, **guard_functions(), "__builtins__": {}}

    def evaluate(self, expression, context, external_context=None):
        """Evaluate a checked expression against task data."""
        return eval(compile_safe(expression, "eval"), self._namespace(context, external_context))

    def execute(self, script, context, external_context=None):
        """Run a checked script; names it assigns are written back to the task data."""
        namespace = self._namespace(context, external_context)
        exec(compile_safe(script, "exec"), namespace)
        hidden = set(self.globals) | GUARD_NAMES | set(external_context or {}) | {"__builtins__"}
        results = {name: value for name, value in namespace.items() if name not in hidden}
        for name, value in results.items():
            problem = plain_data_problem(value)
            if problem:
                raise TooBig(f"{name!r} cannot be kept as task data: {problem}")
        context.update(results)
        return True

    def call_service(self, context, **kwargs):
        """Service tasks are not supported."""
        raise NotImplementedError("service tasks are not supported")


class ScriptEngine(PythonScriptEngine):
    """The script engine every workflow runs with; errors name the BPMN element that caused them.

    It also carries what timers read while they run: the clock and the longest timer allowed."""

    def __init__(self, clock: Clock = utc_now, max_timer: str = DEFAULT_MAX_TIMER):
        super().__init__(environment=SafeEnvironment(clock))
        self.clock = clock
        self.max_timer = max_timer  # the longest timer allowed, an ISO 8601 duration (read by timers.py)

    def evaluate(self, task, expression, external_context=None):
        """Evaluate `expression` for `task`, refusing unsafe code."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            raise _task_error(task, "expression", expression, exc) from exc

    def execute(self, task, script, external_context=None):
        """Run `script` for `task`, refusing unsafe code."""
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            raise _task_error(task, "script", script, exc) from exc


def _task_error(task, kind: str, source: str, exc: Exception) -> WorkflowTaskException:
    element_id = task.task_spec.bpmn_id or task.task_spec.name
    if isinstance(exc, UnsafeExpression):
        detail = f"{kind} refused: {'; '.join(exc.problems)}"
    elif isinstance(exc, TooBig):
        detail = f"{kind} refused: {exc}"
    else:
        detail = f"{kind} failed with {type(exc).__name__}: {exc}"
    return WorkflowTaskException(f"{element_id}: {detail} (in {_normalise(source)!r})", task=task, exception=exc)
