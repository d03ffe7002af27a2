import { execFileSync } from 'node:child_process';

/**
 * Runs `script` under python3 (the oracle for Python's behaviour) with `input` as JSON on its
 * stdin; the script prints JSON, which is returned.
 */
export function runPython<T>(script: string, input: unknown = null): T {
  const output = execFileSync('python3', ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output) as T;
}

/**
 * A Python expression for a value as mpts carries it. Arrays become lists, or tuples with
 * `tuples` (how they arrive as dict keys); strings go by code point so surrogates survive.
 */
export function toPython(value: unknown, tuples = false): string {
  const inner = (item: unknown) => toPython(item, tuples);
  switch (typeof value) {
    case 'number':
      // An integer past 2**53 in a JavaScript number came from a Python float.
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      if (Number.isInteger(value)) return `float(${BigInt(value)})`;
      return `float('${Number.isNaN(value) ? 'nan' : String(value)}')`;
    case 'bigint':
      return `(${value})`;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'string':
      return `''.join(map(chr, [${[...value].map((c) => c.codePointAt(0)).join(',')}]))`;
    case 'undefined':
      return 'None';
  }
  if (value === null) return 'None';
  if (Array.isArray(value)) return tuples ? `(${value.map((item) => `${inner(item)},`).join(' ')})` : `[${value.map(inner).join(', ')}]`;
  if (value instanceof Uint8Array) return `bytes([${[...value].join(',')}])`;
  if (value instanceof Date) {
    return `(__import__('datetime').datetime(1970, 1, 1) + __import__('datetime').timedelta(milliseconds=${value.getTime()}))`;
  }
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${toPython(k, true)}: ${inner(v)}`).join(', ')}}`;
  if (value instanceof Set) return value.size === 0 ? 'set()' : `{${[...value].map((v) => toPython(v, true)).join(', ')}}`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${toPython(k)}: ${inner(v)}`).join(', ')}}`;
  throw new Error(`no Python form for ${String(value)}`);
}
