#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal, as a user's shell would, and prints
everything it wrote there (stdout and stderr, in the order they came).

  pty_run.py [--send WAIT_FOR BYTES]... [--timeout SECONDS] -- PROGRAM ARGS...

--send: once the output holds WAIT_FOR, types BYTES (Python escapes, e.g.
"n\\r" or "\\x03" for Ctrl-C). Exits with the program's exit code (128 + the
signal when it was killed), 124 when it outlived the timeout (then killed).
"""
import os
import pty
import select
import signal
import sys
import time


def main():
    args = sys.argv[1:]
    sends = []
    timeout = 60.0
    while args and args[0] != "--":
        if args[0] == "--send":
            sends.append((args[1].encode(), args[2].encode().decode("unicode_escape").encode()))
            args = args[3:]
        elif args[0] == "--timeout":
            timeout = float(args[1])
            args = args[2:]
        else:
            sys.exit("pty_run.py: unknown option " + args[0])
    program = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(program[0], program)
    out = b""
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([fd], [], [], min(left, 0.05))
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the program closed the terminal (exited)
            break
        if not chunk:
            break
        out += chunk
        while sends and sends[0][0] in out:
            os.write(fd, sends.pop(0)[1])
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    if timed_out:
        sys.exit(124)
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status)
             else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
