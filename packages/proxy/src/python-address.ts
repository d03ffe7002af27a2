/**
 * The `at 0x…` in Python's representation of an object (`<threading.Event at 0x7f…: set>`):
 * there, the object's address, unique among live objects and the same each time it is shown.
 * In a manager, each object rendered gets a number of its own, once, from the server's counter:
 * unique and stable the same way. (The Redis backend uses the object's id, which every process
 * sees alike.)
 */
const addresses = new WeakMap<object, number>();
let next = 1;

export function pythonAddress(object: object): string {
  let address = addresses.get(object);
  if (address === undefined) {
    address = next++;
    addresses.set(object, address);
  }
  return `0x${address.toString(16)}`;
}

/** Python's representation of a lock: `_thread.lock`'s, or `_thread.RLock`'s with its owner and count. */
export function pythonLockRepr(address: string, locked: boolean, recursive?: { owner: number; count: number }): string {
  const state = locked ? 'locked' : 'unlocked';
  if (recursive === undefined) return `<${state} _thread.lock object at ${address}>`;
  return `<${state} _thread.RLock object owner=${recursive.owner} count=${recursive.count} at ${address}>`;
}
