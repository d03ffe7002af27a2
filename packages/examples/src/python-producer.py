"""The Python half of python-consumer.ts: an unmodified CPython program (3.12 or later) that
puts work on a queue of an mpts manager, exactly as it would on a Python manager's.

    python3 python-producer.py HOST PORT AUTHKEY_HEX
"""
import sys
from multiprocessing.managers import BaseManager


class QueueManager(BaseManager):
    pass


QueueManager.register('get_queue')

manager = QueueManager(address=(sys.argv[1], int(sys.argv[2])), authkey=bytes.fromhex(sys.argv[3]))
manager.connect()
queue = manager.get_queue()
for n in range(1, 11):
    queue.put({'n': n, 'square': n * n, 'label': f'item {n}'})
queue.put(None)  # no more work
