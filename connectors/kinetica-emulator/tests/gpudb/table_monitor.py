"""Kinetica's official Python client's table monitor (GPUdbTableMonitor) against the
emulator: inserts, upsert updates and deletes of a watched table reach its callbacks
over the emulator's ZMQ socket, decoded with the schemas the emulator declares.

usage: table_monitor.py URL MONITOR_PORT. Prints one JSON object with what the
callbacks saw; exits non-zero if they did not see it within the time limit.
"""

import faulthandler
import json
import sys
import threading
import time

import gpudb
import zmq
import zmq.utils.monitor
from gpudb import GPUdbTableMonitor
from gpudb import GPUdbException

TABLE = "ki_home.monitored"
COLUMNS = [
    ["id", "long", "primary_key"],
    ["msg", "string", "nullable"],
    ["score", "double", "nullable"],
]
LIMIT_S = 30

# GPUdbTableMonitor.Client checks the monitor port by connecting a socket *before* it
# attaches the monitor that is to report the connection (gpudb 7.2,
# `__zmq_check_connection`), so on a fast loopback the CONNECTED event can come first
# and its wait for the event never ends. A time limit on that wait turns the race into
# a failed check (`zmq.Again` is a `ZMQError`, which the check answers with False), and
# the client is made again.
_recv_monitor_message = zmq.utils.monitor.recv_monitor_message


def _recv_monitor_message_within_limit(socket, flags=0):
    if not socket.poll(2000):
        raise zmq.Again()
    return _recv_monitor_message(socket, flags)


zmq.utils.monitor.recv_monitor_message = _recv_monitor_message_within_limit


def main(url, port):
    # A hang inside the client prints every thread's stack and fails, instead of
    # holding the test forever.
    faulthandler.dump_traceback_later(3 * LIMIT_S, exit=True)
    db = gpudb.GPUdb(host=url, options=gpudb.GPUdb.Options())
    db.clear_table(TABLE, options={"no_error_if_not_exists": "true"})
    table = gpudb.GPUdbTable(COLUMNS, name=TABLE, db=db)

    seen = {"inserted": [], "updated": [], "deleted": []}
    changed = threading.Condition()

    def recorder(kind):
        def record(event):
            with changed:
                seen[kind].append(event)
                changed.notify_all()
        return record

    Type = GPUdbTableMonitor.Callback.Type

    def client():
        return GPUdbTableMonitor.Client(
            db,
            TABLE,
            [
                GPUdbTableMonitor.Callback(Type.INSERT_DECODED, recorder("inserted")),
                GPUdbTableMonitor.Callback(Type.UPDATED, recorder("updated")),
                GPUdbTableMonitor.Callback(Type.DELETED, recorder("deleted")),
            ],
            options=GPUdbTableMonitor.Options(_dict={"monitor_port": port}),
        )

    # See _recv_monitor_message_within_limit: the client's connection check can miss
    # the connection it waits for; a real refusal fails every attempt.
    for attempt in range(5):
        try:
            monitor = client()
            break
        except GPUdbException as e:
            if attempt == 4:
                sys.exit(f"the table monitor client could not connect: {e}")
    monitor.start_monitor()

    def until(what, condition):
        deadline = time.monotonic() + LIMIT_S
        with changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    sys.exit(f"timed out waiting for {what}: {seen}")
                changed.wait(left)

    # ZMQ's slow joiner: what is published before the subscription reaches the
    # publisher is lost. Probe rows (negative ids) until one arrives; from then on
    # the subscription is in place.
    probe = -1
    while True:
        table.insert_records([[probe, "probe", None]])
        with changed:
            changed.wait(0.2)
            if seen["inserted"]:
                break
        probe -= 1
        if probe < -100:
            sys.exit("no insert reached the monitor")
    with changed:
        seen["inserted"].clear()

    table.insert_records([[1, "one", 1.5], [2, None, None], [3, "three", -2.0]])
    until("three inserts", lambda: len(seen["inserted"]) >= 3)
    table.insert_records([[2, "two", 2.0]], options={"update_on_existing_pk": "true"})
    until("an update", lambda: len(seen["updated"]) >= 1)
    db.delete_records(TABLE, expressions=["id >= 2"])
    until("a delete", lambda: len(seen["deleted"]) >= 1)
    monitor.stop_monitor()
    print(json.dumps(seen, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
