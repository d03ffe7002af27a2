"""The Python half of mpts's python-doubles example: attaches the block of doubles a Node
program made, by its name, sums them where they lie (no copy), then doubles each one in place
for the Node side to see.

    python3 sum_doubles.py <block name> <count>
"""
import sys
from multiprocessing import resource_tracker, shared_memory


def attach(name):
    """Attaches a block another program made and will unlink.

    Python's resource tracker unlinks, when this process ends, every block it opened here,
    including one it only attached: stop it from removing the Node program's block.
    """
    try:
        return shared_memory.SharedMemory(name, track=False)  # Python 3.13 and later
    except TypeError:
        shm = shared_memory.SharedMemory(name)
        resource_tracker.unregister(shm._name, 'shared_memory')
        return shm


name, count = sys.argv[1], int(sys.argv[2])
shm = attach(name)
doubles = shm.buf.cast('d')[:count]  # a view of the same memory, as NumPy's frombuffer gives
print(f'Python: the sum of the {count} doubles Node wrote is {sum(doubles)}')
for i in range(count):
    doubles[i] *= 2
doubles.release()
shm.close()
