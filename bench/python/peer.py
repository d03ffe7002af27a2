"""The Python peer of `pnpm bench`: Python's own multiprocessing.Manager and sharedctypes.

Reads one JSON request per line on stdin ({"workload": "W1", ...parameters}), runs it, and
writes one JSON line on stdout: {"ops": n, "seconds": s} for a throughput, {"value": x} for a
time or a size, or {"error": "..."}; anything else goes to stderr. The manager and the worker
processes are started before the clock starts, as in the mpts workloads.
"""

import json
import multiprocessing as mp
import os
import sys
import time
from multiprocessing import Manager, Process, Value

CTX = mp.get_context("fork")


def now():
    return time.perf_counter()


# --- children (forked; they report through a plain multiprocessing queue) -------------------


def dict_child(d, index, go, results, duration):
    key = "k%d" % index
    go.wait()
    count = 0
    start = now()
    deadline = start + duration
    while now() < deadline:
        for i in range(50):
            d[key] = i
            d[key]
        count += 100
    results.put((count, now() - start))


def producer(q, go, results, duration):
    go.wait()
    start = now()
    deadline = start + duration
    count = 0
    while now() < deadline:
        for i in range(50):
            q.put(i)
        count += 50
    q.put(None)
    results.put(("producer", count, now() - start))


def consumer(q, go, results):
    go.wait()
    start = now()
    count = 0
    while q.get() is not None:
        count += 1
    results.put(("consumer", count, now() - start))


def locked_increments(lock, value, n, go, results):
    go.wait()
    start = now()
    for _ in range(n):
        with lock:
            value.value += 1
    results.put((n, now() - start))


def shm_increments(value, n, go, results):
    go.wait()
    start = now()
    lock = value.get_lock()
    for _ in range(n):
        with lock:
            value.value += 1
    results.put((n, now() - start))


def run_children(targets, results, go):
    for p in targets:
        p.start()
    time.sleep(0.05)  # let every child reach the gate
    go.set()
    out = [results.get() for _ in targets]
    for p in targets:
        p.join()
    return out


# --- workloads -------------------------------------------------------------------------------


def w1(req):
    with Manager() as m:
        d = m.dict()
        duration = req["duration"]
        count = 0
        start = now()
        deadline = start + duration
        while now() < deadline:
            for i in range(50):
                d["k"] = i
                d["k"]
            count += 100
        return {"ops": count, "seconds": now() - start}


def w3(req):
    with Manager() as m:
        d = m.dict()
        go, results = CTX.Event(), CTX.Queue()
        procs = [CTX.Process(target=dict_child, args=(d, i, go, results, req["duration"]))
                 for i in range(req["processes"])]
        out = run_children(procs, results, go)
        return {"ops": sum(c for c, _ in out), "seconds": max(s for _, s in out)}


def w4(req):
    with Manager() as m:
        q = m.Queue()
        go, results = CTX.Event(), CTX.Queue()
        procs = [CTX.Process(target=producer, args=(q, go, results, req["duration"])),
                 CTX.Process(target=consumer, args=(q, go, results))]
        out = run_children(procs, results, go)
        consumed = [r for r in out if r[0] == "consumer"][0]
        return {"ops": consumed[1], "seconds": consumed[2]}


def w5(req):
    with Manager() as m:
        lock = m.Lock()
        count = 0
        start = now()
        deadline = start + req["duration"]
        while now() < deadline:
            for _ in range(50):
                lock.acquire()
                lock.release()
            count += 50
        return {"ops": count, "seconds": now() - start}


def w6(req):
    with Manager() as m:
        lock, value = m.Lock(), m.Value("i", 0)
        go, results = CTX.Event(), CTX.Queue()
        n, procs_n = req["n"], req["processes"]
        procs = [CTX.Process(target=locked_increments, args=(lock, value, n, go, results))
                 for _ in range(procs_n)]
        out = run_children(procs, results, go)
        total = value.value
        if total != n * procs_n:
            return {"error": "lost updates: %d of %d" % (total, n * procs_n)}
        return {"ops": total, "seconds": max(s for _, s in out)}


def w7(req):
    with Manager() as m:
        count = 0
        start = now()
        deadline = start + req["duration"]
        while now() < deadline:
            d = m.dict()
            del d
            count += 1
        return {"ops": count, "seconds": now() - start}


def w8(req):
    start = now()
    m = Manager()  # multiprocessing.Manager() returns a started SyncManager
    d = m.dict()
    d["a"] = 1
    m.shutdown()
    return {"value": (now() - start) * 1000}


def ran():
    pass


def w11(req):
    start = now()
    p = Process(target=ran)
    p.start()
    p.join()
    return {"value": (now() - start) * 1000}


def w9(req):
    value = Value("i", 0)
    go, results = CTX.Event(), CTX.Queue()
    n, procs_n = req["n"], req["processes"]
    procs = [CTX.Process(target=shm_increments, args=(value, n, go, results)) for _ in range(procs_n)]
    out = run_children(procs, results, go)
    if value.value != n * procs_n:
        return {"error": "lost updates: %d of %d" % (value.value, n * procs_n)}
    return {"ops": value.value, "seconds": max(s for _, s in out)}


def w10(req):
    blob = os.urandom(req["bytes"])
    with Manager() as m:
        d = m.dict()
        count = 0
        start = now()
        deadline = start + req["duration"]
        while now() < deadline:
            d["blob"] = blob
            got = d["blob"]
            count += 1
        if len(got) != len(blob):
            return {"error": "wrong size"}
        return {"ops": count * 2 * req["bytes"] / 1e6, "seconds": now() - start}


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def m0(req):
    with Manager() as m:
        m.dict()
        return {"value": rss_mb(m._process.pid)}


def m1(req):
    with Manager() as m:
        d = m.dict()
        entries, chunk = req["entries"], 10000
        for base in range(0, entries, chunk):
            d.update({"k%d" % i: i for i in range(base, min(base + chunk, entries))})
        if len(d) != entries:
            return {"error": "wrong size"}
        return {"value": rss_mb(m._process.pid)}


WORKLOADS = {"W1": w1, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7, "W8": w8, "W9": w9, "W11": w11,
             "W10": w10, "M0": m0, "M1": m1}


def main():
    print(json.dumps({"ready": True, "python": sys.version.split()[0]}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            result = WORKLOADS[req["workload"]](req)
        except Exception as error:  # reported to the runner, which shows the column as failed
            result = {"error": "%s: %s" % (type(error).__name__, error)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
