import { builtinTypes } from '../../src/builtin-types.js';
import type { ObjectEntry, ObjectRegistry } from '../../src/object-registry.js';
import type { Servant } from '../../src/servant.js';

const types = builtinTypes();

/** Creates a shared object of a built-in type in `registry`, as the server does for a create. */
export function createBuiltin(registry: ObjectRegistry, typeId: string, ...args: unknown[]): ObjectEntry {
  const spec = types.get(typeId);
  return registry.add(spec, spec.create(...args) as Servant);
}
