/** `pnpm demo`: Python's shared-state programs from the multiprocessing docs, run by mpts. */
import { main as dictAndList } from './dict-and-list.js';

await dictAndList();
