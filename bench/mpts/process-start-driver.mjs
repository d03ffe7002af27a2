// W11 as a compiled program runs it: a plain `node` parent (the bench itself runs under tsx,
// whose loader a child would inherit) starts a Process whose target is compiled JavaScript,
// and prints how long start → target → join took, in ms.
import { Process } from '@mpts/manager';
import { ran } from './process-target.mjs';

const module = new URL('./process-target.mjs', import.meta.url).href;
const start = performance.now();
const p = new Process({ target: ran, module });
await p.start();
await p.join();
console.log(JSON.stringify(p.exitCode === 0 ? { value: performance.now() - start } : { error: `exit code ${p.exitCode}` }));
