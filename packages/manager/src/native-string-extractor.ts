import { createRequire } from 'node:module';
// @ts-expect-error msgpackr keeps `setExtractor` to itself (its Node entry calls it when it
// loads). Only the manager server's snapshot bundle imports this module, and the build maps
// this name to msgpackr's own file (scripts/bundle.mjs).
import { setExtractor } from 'msgpackr/set-extractor';

/**
 * Gives the msgpackr bundled in the manager server's startup snapshot its optional native
 * string extractor, as msgpackr's Node entry does when it loads: a snapshot holds no native
 * module, so the server loads it once it runs. It decodes the strings of a large frame at once,
 * and keeps a server holding many strings smaller (`pnpm bench` M1); without it (no prebuilt
 * binary for this platform), msgpackr decodes them itself.
 *
 * @param from a file of the package that depends on msgpackr (it finds the extractor from there)
 */
export function loadNativeStringExtractor(from: string): void {
  try {
    const msgpackr = createRequire(from).resolve('msgpackr');
    const extractor = createRequire(msgpackr)('msgpackr-extract') as { extractStrings?: unknown } | undefined;
    if (extractor?.extractStrings) (setExtractor as (extract: unknown) => void)(extractor.extractStrings);
  } catch {
    // Optional, as in msgpackr.
  }
}
