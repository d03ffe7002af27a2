import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A program of a README: a fenced `ts` or `js` block that imports mpts, as a user would paste it. */
export interface ReadmeProgram {
  readonly where: string;
  readonly language: 'ts' | 'js';
  /** A file name for it, unique across the READMEs. */
  readonly file: string;
  readonly code: string;
  /** What the README says it prints: the plain fenced block that follows it, if one does. */
  readonly output: string | undefined;
}

interface Fence {
  readonly language: string;
  readonly code: string;
  readonly line: number;
}

function fences(markdown: string): Fence[] {
  const found: Fence[] = [];
  const pattern = /^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (const match of markdown.matchAll(pattern)) {
    const line = markdown.slice(0, match.index).split('\n').length;
    found.push({ language: match[1]!, code: match[2]!, line });
  }
  return found;
}

/**
 * The programs of the given READMEs (paths relative to `root`) and the tsconfig.json that README.md tells users to write.
 * A fragment that shows one call (no `import` of mpts) is not a program.
 */
export function readmePrograms(root: string, files: readonly string[]): { programs: ReadmeProgram[]; tsconfig: string } {
  const programs: ReadmeProgram[] = [];
  let tsconfig = '';
  for (const name of files) {
    const all = fences(readFileSync(join(root, name), 'utf8'));
    all.forEach((fence, index) => {
      if (fence.language === 'json' && fence.code.includes('"compilerOptions"') && tsconfig === '') tsconfig = fence.code;
      if (fence.language !== 'ts' && fence.language !== 'js') return;
      if (!/^import .* from 'mpts';$/m.test(fence.code)) return;
      const next = all[index + 1];
      programs.push({
        where: `${name}:${fence.line}`,
        language: fence.language,
        file: `readme-${programs.length + 1}.${fence.language === 'ts' ? 'ts' : 'mjs'}`,
        code: fence.code,
        output: next !== undefined && next.language === '' ? next.code : undefined,
      });
    });
  }
  return { programs, tsconfig };
}
