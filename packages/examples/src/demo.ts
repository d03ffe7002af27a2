/** `pnpm demo`: Python's two shared-state programs from the multiprocessing docs, run by mpts, in the README's order. */
import { main as dictAndList } from './dict-and-list.js';
import { main as valueAndArray } from './value-and-array.js';

await dictAndList();
await valueAndArray();
