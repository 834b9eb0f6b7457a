#!/usr/bin/env python3
"""Asks an X11 window to close, as a window manager's close button does: it sends the
WM_DELETE_WINDOW client message (ICCCM 4.2.8.1) to every top-level window of the given
process. Used by the end-to-end tests, which run under Xvfb without a window manager.

usage: close_window.py PID [--on-go]

With --on-go it finds the windows first, prints "ready", and sends the close request the
moment a line arrives on stdin — so a test can close the window within milliseconds of
its last keystroke.
"""
import sys

from Xlib import X, display, protocol


def windows_of(d, pid):
    net_wm_pid = d.intern_atom("_NET_WM_PID")
    found = []
    stack = [d.screen().root]
    while stack:
        w = stack.pop()
        try:
            prop = w.get_full_property(net_wm_pid, X.AnyPropertyType)
            if prop is not None and prop.value[0] == pid:
                found.append(w)
            stack.extend(w.query_tree().children)
        except Exception:  # a window can vanish while we walk the tree
            continue
    return found


def main():
    pid = int(sys.argv[1])
    d = display.Display()
    wm_protocols = d.intern_atom("WM_PROTOCOLS")
    wm_delete = d.intern_atom("WM_DELETE_WINDOW")
    targets = [w for w in windows_of(d, pid) if wm_delete in (w.get_wm_protocols() or [])]
    for w in targets:
        print(f"target {w.id:#x} {w.get_wm_name()!r}", file=sys.stderr)
    if "--on-go" in sys.argv:
        print("ready", flush=True)
        sys.stdin.readline()
    sent = 0
    for w in targets:
        event = protocol.event.ClientMessage(
            window=w, client_type=wm_protocols, data=(32, [wm_delete, X.CurrentTime, 0, 0, 0])
        )
        w.send_event(event)
        sent += 1
    d.flush()
    if sent == 0:
        sys.exit(f"no closable window of process {pid}")
    print(f"close requested for {sent} window(s)")


if __name__ == "__main__":
    main()
