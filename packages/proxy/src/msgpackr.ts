import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as msgpackr from 'msgpackr/pack';

/**
 * The msgpackr that mpts's codec and its extensions use, all one instance: its plain ES module
 * build (`msgpackr/pack`), without the optional native string extractor that msgpackr's Node
 * entry loads at once. Loading the extractor (a native addon found through
 * node-gyp-build-optional-packages) cost ~18 ms of CPU at every start, more than importing
 * msgpackr itself (~12 ms), and most processes that load mpts (a `Process` child, a short program)
 * never decode a frame large enough for it to pay off. `useNativeStringExtractor` loads it
 * when one does (codec.ts).
 */
export const { Packr, addExtension, RESERVE_START_SPACE } = msgpackr;

/** Whether loading the extractor was tried: once per process, whatever came of it. */
let tried = false;

/**
 * Gives msgpackr its native string extractor, as msgpackr's Node entry does when it loads: it
 * decodes the strings of a large frame at once (3–5× faster here from ~1 KB up). Optional, as
 * in msgpackr: without a prebuilt binary for this platform, or with
 * `MSGPACKR_NATIVE_ACCELERATION_DISABLED=true`, msgpackr decodes the strings itself.
 */
export function useNativeStringExtractor(): void {
  if (tried) return;
  tried = true;
  // Where msgpackr was loaded as its CommonJS build (mpts's one-file server), that build has
  // loaded the extractor already. (The server's startup snapshot, where this module has no
  // path to look from, loads it itself once it runs: native-string-extractor.ts.)
  if ((msgpackr as { isNativeAccelerationEnabled?: boolean }).isNativeAccelerationEnabled) return;
  if (process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED?.toLowerCase() === 'true') return;
  try {
    const require = createRequire(import.meta.url);
    // The package's root, from its CommonJS entry (dist/node.cjs): its exports name no file
    // that exports `setExtractor`. The ES module required is the instance `msgpackr/pack`
    // loaded (Node keeps one per file).
    const root = dirname(dirname(require.resolve('msgpackr')));
    const { setExtractor } = require(join(root, 'unpack.js')) as { setExtractor(extract: unknown): void };
    const extractor = createRequire(join(root, 'index.js'))('msgpackr-extract') as { extractStrings?: unknown } | undefined;
    if (extractor?.extractStrings) setExtractor(extractor.extractStrings);
  } catch {
    // Optional, as in msgpackr.
  }
}
