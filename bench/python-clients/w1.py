"""W1 from a CPython client: dict setitem + getitem, one call in flight, for DURATION seconds.

w1.py DURATION ADDRESS AUTHKEY_HEX SERVER_PID   against a manager at ADDRESS (mpts): HOST:PORT
                                                or the path of a Unix socket
w1.py DURATION own tcp|unix                     against CPython's own SyncManager, on a port of
                                                127.0.0.1 or on a Unix socket (its default)
Prints {"ops": n, "seconds": s, "server_cpu": c} as JSON: c is the CPU time (user and system,
seconds) the manager's process used while the clock ran, read from /proc. The manager is
running before the clock starts.
"""
import json
import os
import sys
import time
from multiprocessing.managers import SyncManager


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


duration = float(sys.argv[1])
own = sys.argv[2] == 'own'
if own:
    m = SyncManager(address=('127.0.0.1', 0) if sys.argv[3] == 'tcp' else None)
    m.start()
    server_pid = m._process.pid
else:
    host, _, port = sys.argv[2].rpartition(':')
    address = (host, int(port)) if host else sys.argv[2]
    m = SyncManager(address=address, authkey=bytes.fromhex(sys.argv[3]))
    m.connect()
    server_pid = int(sys.argv[4])
d = m.dict()
d["k"] = 0  # the per-thread connection is open before the clock starts
count = 0
cpu_before = cpu_seconds(server_pid)
start = time.perf_counter()
deadline = start + duration
while time.perf_counter() < deadline:
    for i in range(50):
        d["k"] = i
        d["k"]
    count += 100
seconds = time.perf_counter() - start
server_cpu = cpu_seconds(server_pid) - cpu_before
print(json.dumps({"ops": count, "seconds": seconds, "server_cpu": server_cpu}))
del d
if own:
    m.shutdown()
