"""Reads the running window the way Orca does: over AT-SPI (D-Bus), with no Qt in this process.

Run inside a private D-Bus session (`dbus-run-session`) by tests/ui/test_atspi_xvfb.py: it starts
Xvfb, the app on the xcb platform with Qt's AT-SPI bridge on, then walks the app's accessible
tree with jeepney (a pure-Python D-Bus client), presses Down on the focused "Send from" picker
with xdotool, and prints what it read as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

ROLE_COMBO_BOX = 11
ROLE_PUSH_BUTTON = 43
ACCESSIBLE = "org.a11y.atspi.Accessible"


def _call(conn: Any, name: str, path: str, interface: str, method: str,
          signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
    address = DBusAddress(path, bus_name=name, interface=interface)
    reply = conn.send_and_get_reply(new_method_call(address, method, signature, body), timeout=5)
    return reply.body


def _prop(conn: Any, name: str, path: str, interface: str, prop: str) -> Any:
    body = _call(conn, name, path, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, prop))
    return body[0][1]


def _node(conn: Any, ref: tuple[str, str]) -> dict[str, Any]:
    name, path = ref
    return {
        "ref": ref,
        "name": _prop(conn, name, path, ACCESSIBLE, "Name"),
        "role": _call(conn, name, path, ACCESSIBLE, "GetRole")[0],
        "description": _prop(conn, name, path, ACCESSIBLE, "Description"),
    }


def _walk(conn: Any, ref: tuple[str, str], limit: int = 4000) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    todo = [ref]
    while todo and len(out) < limit:
        current = todo.pop(0)
        try:
            node = _node(conn, current)
            children = _call(conn, current[0], current[1], ACCESSIBLE, "GetChildren")[0]
        except Exception:  # an object gone while walking
            continue
        out.append(node)
        todo.extend(tuple(child) for child in children)
    return out


def main() -> int:
    display_r, display_w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(display_w), "-screen", "0", "1400x1000x24"],
                            pass_fds=(display_w,), stderr=subprocess.DEVNULL)
    os.close(display_w)
    display = ":" + os.read(display_r, 16).decode().strip()
    # A scratch home: the app remembers the chosen sender and the window's place there.
    home = tempfile.mkdtemp(prefix="rc-sms-atspi-")
    env = dict(os.environ, DISPLAY=display, HOME=home, XDG_CONFIG_HOME=home + "/config",
               XDG_CACHE_HOME=home + "/cache", XDG_DATA_HOME=home + "/data", XDG_STATE_HOME=home + "/state", QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
               QT_ACCESSIBILITY="1")
    app = subprocess.Popen([sys.executable, "-m", "rc_sms_desktop", "--demo"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    result: dict[str, Any] = {}
    try:
        session = open_dbus_connection(bus="SESSION")
        a11y_address = _call(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress")[0]
        conn = open_dbus_connection(a11y_address)
        events: list[tuple[str, Any]] = []
        deadline = time.monotonic() + 60
        combo: dict[str, Any] | None = None
        nodes: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            time.sleep(0.5)
            apps = _call(conn, "org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root", ACCESSIBLE,
                         "GetChildren")[0]
            for ref in apps:
                nodes = _walk(conn, tuple(ref))
                combos = [n for n in nodes if n["role"] == ROLE_COMBO_BOX and " — " in n["name"]]
                # Wait for the compose panel, built after the first paint (its Send button).
                if combos and any(n["name"] == "Send" and n["role"] == ROLE_PUSH_BUTTON for n in nodes):
                    combo = combos[0]
                    result["application"] = nodes[0]["name"]
                    break
            if combo is not None:
                break
        if combo is None:
            result["error"] = "no Send from picker found over AT-SPI"
            result["seen"] = [(n["role"], n["name"]) for n in nodes if n["name"]][-80:]
            result["seen_count"] = len(nodes)
            app.terminate()
            pass
            return 1
        result["picker_before"] = combo["name"]
        result["buttons"] = sorted({n["name"] for n in nodes if n["role"] == ROLE_PUSH_BUTTON})
        body = next((n for n in nodes if n["name"] == "Conditions, use cases, ownership and what to do"), None)
        if body is not None:
            name, path = body["ref"]
            result["detail_body"] = _call(conn, name, path, "org.a11y.atspi.Text", "GetText", "ii", (0, -1))[0]
        # As a screen reader does: listen for events (on a second connection) and say which, so
        # Qt's bridge sends them.
        listener = open_dbus_connection(a11y_address)
        Proxy(message_bus, listener).AddMatch(
            MatchRule(type="signal", interface="org.a11y.atspi.Event.Object"))
        for event in ("object:",):
            _call(conn, "org.a11y.atspi.Registry", "/org/a11y/atspi/registry", "org.a11y.atspi.Registry",
                  "RegisterEvent", "s", (event,))
        time.sleep(1.0)
        # The picker has the focus at start: Down chooses the next number, as Orca's user would.
        subprocess.run(["xdotool", "key", "--delay", "50", "Down"], env=env, check=False, timeout=10)
        until = time.monotonic() + 10
        while time.monotonic() < until:
            try:
                message = listener.receive(timeout=0.5)
            except TimeoutError:
                message = None
            if message is not None:
                member = message.header.fields.get(HeaderFields.member)
                events.append((str(member), [str(part)[:200] for part in message.body]))
            after = _node(conn, combo["ref"])["name"]
            if (after != combo["name"] and any(e[0] == "Announcement" for e in events)
                    and any(e[0] == "PropertyChange" and after in e[1][3] for e in events)):
                break
        result["picker_after"] = _node(conn, combo["ref"])["name"]
        if os.environ.get("ATSPI_PROBE_DEBUG"):
            app.terminate()
            result["app_stderr"] = app.communicate(timeout=10)[1].decode(errors="replace")[-2000:]
        result["members"] = sorted({e[0] for e in events})
        result["events"] = [e for e in events if e[0] in ("Announcement", "PropertyChange", "StateChanged")][:200]
        return 0
    finally:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        xvfb.terminate()
        xvfb.wait(10)


if __name__ == "__main__":
    sys.exit(main())
