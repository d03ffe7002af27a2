import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { warmupSeconds, type Measurement } from './measure.js';

const run = promisify(execFile);

/**
 * Runs one workload of a bench module in a process of plain `node`, as a compiled program runs.
 * The bench itself runs under tsx, whose ES module loader hooks (Node 20) made a client's
 * garbage collection of 1 MiB buffers about ten times costlier: a CPU profile of W10's mpts
 * client spent 0.72 s of 3 s collecting under `--import tsx`, 0.06 s under plain node (the
 * same loop: ~800 against ~1,300 MB/s). Python's client has no such host.
 *
 * The module is bundled (its packages left as imports) into a file beside it, so that paths it
 * builds from its own URL mean the same there, and removed afterwards.
 *
 * @example inPlainNode(new URL('../floor/workloads.ts', import.meta.url), 'floorWorkloads', 'W10', [params, path])
 */
export async function inPlainNode<T = Measurement>(module: URL, table: string, workload: string, args: unknown[]): Promise<T> {
  const source = fileURLToPath(module);
  const bundle = join(dirname(source), `.plain-node-${process.pid}.mjs`);
  const measure = fileURLToPath(new URL('./measure.ts', import.meta.url));
  try {
    await build({
      stdin: {
        contents: [
          `import { ${table} } from ${JSON.stringify(source)};`,
          `import { setWarmup } from ${JSON.stringify(measure)};`,
          `setWarmup(${warmupSeconds});`,
          `console.log(JSON.stringify(await ${table}.${workload}(...${JSON.stringify(args)})));`,
        ].join('\n'),
        resolveDir: dirname(source),
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outfile: bundle,
      logLevel: 'warning',
    });
    const { stdout } = await run(process.execPath, [bundle], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
  } finally {
    rmSync(bundle, { force: true });
  }
}
