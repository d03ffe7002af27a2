// Compiled with --noEmit under each of TypeScript's module resolutions (node16, nodenext,
// bundler, node10): the package's types must resolve under all of them.
import { Manager, Value, type DictProxy } from 'mpts';

export async function typesResolve(): Promise<number> {
  const manager: Manager = await Manager.start();
  const d: DictProxy<string, number> = await manager.dict<string, number>();
  const n = Value('i', 1);
  await d.setItem('n', n.value);
  return d.getItem('n');
}
