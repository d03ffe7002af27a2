// TypeScript must find mpts's types under each of its module resolutions: node16, nodenext,
// bundler and node10 (which ignores `exports` and reads `types` and `typesVersions`). For each,
// this resolves `import ... from 'mpts'` as a user's module in this project would, then every
// import inside the packages' declaration files that it reaches, as tsc does when it loads
// them (skipLibCheck would hide one left unresolved). Prints one line per resolution; exits 1
// on any failure.
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

const settings = {
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
};
const ours = /[\\/]node_modules[\\/](mpts|@mpts[\\/][^\\/]+)[\\/]/;
// A user's TypeScript module in this project (resolution needs only its path).
const userFile = join(process.cwd(), 'main.ts');

let failed = false;
for (const [name, options] of Object.entries(settings)) {
  const problems = [];
  // Under node16/nodenext an import resolves in the importing file's module format (ESM here:
  // the packages and this project say "type": "module"); the other two have a single mode.
  const modeOf = (file) => (name === 'node16' || name === 'nodenext'
    ? ts.getImpliedNodeFormatForFile(file, undefined, ts.sys, options)
    : undefined);
  const pending = [{ specifier: 'mpts', from: userFile }];
  const seen = new Set();
  while (pending.length > 0) {
    const { specifier, from } = pending.pop();
    const { resolvedModule } = ts.resolveModuleName(specifier, from, options, ts.sys, undefined, undefined, modeOf(from));
    if (resolvedModule === undefined || !resolvedModule.resolvedFileName.endsWith('.d.ts')) {
      problems.push(`'${specifier}' from ${from}: ${resolvedModule?.resolvedFileName ?? 'not resolved'}`);
      continue;
    }
    const file = resolvedModule.resolvedFileName;
    if (seen.has(file) || !ours.test(file)) continue;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!isBuiltin(fileName)) pending.push({ specifier: fileName, from: file }); // @types/node declares builtins
    }
  }
  if (seen.size < 10) problems.push(`only ${seen.size} declaration files reached`);
  failed ||= problems.length > 0;
  console.log(`${name}: ${problems.length === 0 ? 'ok' : problems.join('; ')}`);
}
process.exitCode = failed ? 1 : 0;
