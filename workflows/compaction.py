"""Cut finished history off a workflow's task tree, so that a case that loops many times keeps a small state.

SpiffWorkflow keeps every task it ever ran: each loop round adds a few tasks, so saved state, load time and tree
depth grow without bound (and its task iterator stops at depth 1000). Everything an unfinished task can still need
lies under the deepest completed task that is an ancestor of all unfinished tasks; the rest can go.
"""

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def _ancestors(task) -> list:
    chain = []
    while task is not None:
        chain.append(task)
        task = task.parent
    return chain[::-1]


def _common_ancestor(tasks):
    """The deepest task that is an ancestor (or self) of every task given."""
    chains = [_ancestors(task) for task in tasks]
    common = None
    for level in zip(*chains, strict=False):
        if any(task.id != level[0].id for task in level):
            break
        common = level[0]
    return common


def prune_finished(workflow: BpmnWorkflow) -> int:
    """Drop finished tasks no unfinished task depends on; return how many tasks were dropped."""
    unfinished = [task for task in workflow.tasks.values() if task.has_state(TaskState.NOT_FINISHED_MASK)]
    if not unfinished:
        return 0
    # Every unfinished task lies under a topmost one (whose parent is finished), so their common ancestor is all
    # unfinished tasks'. Walking up from the topmost only keeps a long predicted chain from costing depth squared.
    topmost = [task for task in unfinished if task.parent is None or task.parent.state & TaskState.FINISHED_MASK]
    cut = _common_ancestor(topmost)
    while cut is not None and cut.state != TaskState.COMPLETED:
        cut = cut.parent
    root = workflow.task_tree
    if cut is None or cut.parent is None or cut.parent is root:
        return 0
    before = len(workflow.tasks)
    cut.parent._children.remove(cut.id)
    for child in list(root.children):
        _remove_with_subprocesses(workflow, child)
    root._children.append(cut.id)
    cut._parent = root.id
    return before - len(workflow.tasks)


def _remove_with_subprocesses(workflow: BpmnWorkflow, task) -> None:
    for descendant in _subtree(task):
        if descendant.id in workflow.subprocesses:
            workflow.delete_subprocess(descendant)
    workflow._remove_task(task.id)


def _subtree(task):
    stack = [task]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)
