import { createRequire } from 'node:module';

/**
 * The msgpackr that mpts's codec and its extensions use, all one instance. Its CommonJS build:
 * one file for Node to load, where importing its ES module build costs five modules to resolve
 * and link, which every process that loads mpts pays at start (`pnpm bench` W11). It loads the
 * optional native string extractor as the ES module build does.
 */
export const { Packr, addExtension, RESERVE_START_SPACE } = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');
