"""W1 from a CPython client: dict setitem + getitem, one call in flight, for DURATION seconds.

w1.py DURATION HOST PORT AUTHKEY_HEX   against a manager at that address (mpts)
w1.py DURATION                         against CPython's own SyncManager
Prints {"ops": n, "seconds": s} as JSON. The manager is running before the clock starts.
"""
import json
import sys
import time
from multiprocessing.managers import SyncManager

duration = float(sys.argv[1])
if len(sys.argv) == 5:
    m = SyncManager(address=(sys.argv[2], int(sys.argv[3])), authkey=bytes.fromhex(sys.argv[4]))
    m.connect()
else:
    m = SyncManager()
    m.start()
d = m.dict()
d["k"] = 0  # the per-thread connection is open before the clock starts
count = 0
start = time.perf_counter()
deadline = start + duration
while time.perf_counter() < deadline:
    for i in range(50):
        d["k"] = i
        d["k"]
    count += 100
print(json.dumps({"ops": count, "seconds": time.perf_counter() - start}))
del d
if len(sys.argv) != 5:
    m.shutdown()
