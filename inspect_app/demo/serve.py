"""`make demo`: the web server and the worker (timers, reminders, e-mail) as one foreground process.

Run from the project's folder: `python -m inspect_app.demo.serve [--host H] [--port P] [--interval S]`.
Ctrl+C (SIGINT), SIGTERM or SIGHUP stops both; when either stops by itself, the other is stopped too.

Each child runs in a process group of its own, so a Ctrl+C at the terminal reaches it once, from here: the worker
takes a second SIGINT as "stop at once, mid-item". Their output is shown line by line, each line after its name."""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# How long a child has to finish what it is doing after being asked to stop, before it is killed.
GRACE_SECONDS = 15.0
POLL_SECONDS = 0.2


def demo_commands(host: str, port: int, interval: float) -> dict[str, list[str]]:
    """The web server and the worker, with the Python running this module."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    return {
        "web": [*flask, "run", "--host", host, "--port", str(port)],
        "worker": [*flask, "inspect", "worker", "--interval", f"{interval:g}"],
    }


def _copy_output(name: str, width: int, stream) -> None:
    for line in iter(stream.readline, ""):
        sys.stdout.write(f"{name:<{width}} | {line}")
        sys.stdout.flush()
    stream.close()


def supervise(commands: Mapping[str, Sequence[str]], grace: float = GRACE_SECONDS) -> int:
    """Start every command, wait for a stop signal or for one of them to end, then stop them all.

    Exit status 0 after a stop signal, else the status of the child that ended first (1 if that was 0)."""
    requested: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda signum, _frame: requested.append(signum)) for signum in STOP_SIGNALS
    }
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # lines as they are written, not when a pipe buffer fills
    width = max(map(len, commands))
    children: dict[str, subprocess.Popen] = {}
    copiers = []
    status = 0
    try:
        for name, command in commands.items():
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                process_group=0,
            )
            children[name] = child
            copier = threading.Thread(target=_copy_output, args=(name, width, child.stdout), daemon=True)
            copier.start()
            copiers.append(copier)
            _say(f"{name} started (pid {child.pid})")
        while not requested:
            ended = next((name for name, child in children.items() if child.poll() is not None), None)
            if ended is not None:
                status = children[ended].returncode or 1
                _say(f"{ended} stopped by itself (exit status {children[ended].returncode}); stopping the others")
                break
            time.sleep(POLL_SECONDS)
        if requested:
            _say(f"{signal.Signals(requested[0]).name} received: stopping {', '.join(children)}")
    finally:
        _stop(children, grace)
        for copier in copiers:
            copier.join(timeout=2)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _stop(children: Mapping[str, subprocess.Popen], grace: float) -> None:
    """Ask each running child to stop as Ctrl+C would; kill one that has not stopped after `grace` seconds."""
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            _say(f"{name} did not stop within {grace:g}s and was killed")
            continue
        _say(f"{name} stopped")


def _say(message: str) -> None:
    print(f"demo: {message}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the demo with a worker; Ctrl+C stops both.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between the worker's checks")
    args = parser.parse_args(argv)
    return supervise(demo_commands(args.host, args.port, args.interval))


if __name__ == "__main__":
    sys.exit(main())
