/**
 * The manager server as a V8 startup snapshot: the build runs this file under
 * `node --build-snapshot` (scripts/bundle.mjs), which evaluates mpts's modules once and saves
 * the heap; a server forked with `--snapshot-blob` starts from that heap, with nothing to load,
 * parse or evaluate, and runs the function below (`Manager.start()`, server-launch.ts).
 *
 * What a module computes when it is evaluated is therefore computed on the build's machine:
 * no module of the server may read its process's state (pid, environment, files) at the top
 * level, only in functions.
 */
import { startupSnapshot } from 'node:v8';
import { loadNativeStringExtractor } from './native-string-extractor.js';
import { runServerProcess } from './server-process.js';

/**
 * How long after it is ready the server loads msgpackr's native string extractor: loading it
 * takes about as long as the first calls of a manager that is started, used once and shut
 * down, which need not wait for it; a server that lives on gets it a moment later.
 */
const EXTRACTOR_DELAY_MS = 100;

startupSnapshot.setDeserializeMainFunction(() => {
  runServerProcess({
    // process.argv[1] is the snapshot's script (server-launch.ts), in the installed package.
    onReady: () => setTimeout(() => loadNativeStringExtractor(process.argv[1]!), EXTRACTOR_DELAY_MS).unref(),
  });
});
