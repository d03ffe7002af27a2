/** A shared `Namespace`: a child changes attributes, and the parent sees them. */
import { Manager, Process, isMainModule, type NamespaceProxy } from 'mpts';

type Settings = { x: number; y?: string; z?: number[] };

export async function reconfigure(ns: NamespaceProxy<Settings>): Promise<void> {
  await ns.setattr('x', (await ns.getattr('x')) + 41);
  await ns.delattr('y');
  await ns.setattr('z', [1, 2, 3]);
}

export async function main(): Promise<void> {
  await using manager = await Manager.start();
  const ns = await manager.namespace<Settings>({ x: 1, y: 'two' });
  console.log(await ns.str());
  const p = new Process({ target: reconfigure, args: [ns] });
  await p.start();
  await p.join();
  console.log(await ns.str());
}

if (isMainModule(import.meta)) await main();
