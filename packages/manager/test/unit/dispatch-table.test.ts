import { describe, expect, it } from 'vitest';
import { builtinTypes } from '../../src/builtin-types.js';
import { dispatchTableOf as tableOf } from '../../src/dispatch-table.js';
import type { Servant } from '../../src/servant.js';
import { DictServant } from '../../src/servants/dict-servant.js';
import { ListServant } from '../../src/servants/list-servant.js';
import { TypeRegistry, type TypeSpec } from '../../src/type-registry.js';

/** Any object may be served: Servant's hooks are all optional. */
const dispatchTableOf = (spec: TypeSpec, servant: object) => tableOf(spec, servant as Servant);

/** A type whose arguments are checked, as a built-in one. */
function specOf(exposed: string[], typeId = 'T'): TypeSpec {
  return new TypeRegistry().register(typeId, { create: () => ({}), exposed, proxyTypeId: typeId, checksArity: true });
}

/** A registered type: Python's defaults (its object's public methods, a generic proxy). */
function registeredSpec(exposed: string[] | null = null): TypeSpec {
  return new TypeRegistry().register('Registered', { create: () => ({}), exposed });
}

/**
 * A class compiled from source text, as tsc leaves a servant in dist/ (comments kept): the
 * test file itself goes through esbuild, which drops comments from parameter lists.
 */
function classFrom(source: string): new () => object {
  return (0, eval)(`(${source})`) as new () => object;
}

const arity = (servant: object, name: string) => {
  const method = dispatchTableOf(specOf([name]), servant).get(name);
  return method && { min: method.min, max: method.max };
};

describe('dispatchTableOf: what can be called', () => {
  it('holds only exposed names that are methods', () => {
    class Servant {
      field = 42;
      text = 'not callable';
      method(): number {
        return 1;
      }
      hidden(): number {
        return 2;
      }
      get getter(): () => number {
        return () => 3;
      }
    }
    const table = dispatchTableOf(
      specOf(['method', 'field', 'text', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'missing']),
      new Servant(),
    );
    // toString and hasOwnProperty are Object.prototype's: functions, but only because exposed
    // names them. Nothing else but `method` is a function the servant has.
    expect([...table.keys()].sort()).toEqual(['hasOwnProperty', 'method', 'toString']);
    expect(table.has('constructor')).toBe(false);
    expect(table.has('__proto__')).toBe(false);
    expect(table.has('hidden')).toBe(false);
    expect(table.has('field')).toBe(false);
  });

  it('a built-in type exposes exactly its listed methods', () => {
    const types = builtinTypes();
    const dict = dispatchTableOf(types.get('dict'), new DictServant());
    expect([...dict.keys()].sort()).toEqual([...DictServant.exposed].sort());
    const list = dispatchTableOf(types.get('list'), new ListServant());
    expect([...list.keys()].sort()).toEqual([...ListServant.exposed].sort());
    expect(list.get('getSlice')).toMatchObject({ min: 3, max: 3 });
    expect(dict.get('pop')).toMatchObject({ min: 1, max: 2 });
  });

  it('is built once per type and class, and a plain object has its own', () => {
    const types = builtinTypes();
    const a = dispatchTableOf(types.get('dict'), new DictServant());
    expect(dispatchTableOf(types.get('dict'), new DictServant())).toBe(a);
    // Another type over the same class has its own table.
    const other = specOf(['len'], 'OtherDict');
    expect(dispatchTableOf(other, new DictServant())).not.toBe(a);
    expect([...dispatchTableOf(other, new DictServant()).keys()]).toEqual(['len']);
    const spec = specOf(['run']);
    const first = { run: () => 'first' };
    const second = { run: () => 'second' };
    expect(dispatchTableOf(spec, first).get('run')!.fn()).toBe('first');
    expect(dispatchTableOf(spec, second).get('run')!.fn()).toBe('second');
    expect(dispatchTableOf(spec, Object.assign(Object.create(null), { run: () => 'bare' })).get('run')!.fn()).toBe('bare');
  });

  it('a method held in an instance field serves that instance, not the first one seen', () => {
    class Counter {
      n = 0;
      increment = (): number => ++this.n;
    }
    const spec = specOf(['increment']);
    const a = new Counter();
    const b = new Counter();
    dispatchTableOf(spec, a);
    dispatchTableOf(spec, b).get('increment')!.fn.apply(b, []);
    expect([a.n, b.n]).toEqual([0, 1]);
  });
});

describe('dispatchTableOf: argument counts from declared parameters', () => {
  it.each([
    ['class { m() {} }', 0, 0],
    ['class { m(a) {} }', 1, 1],
    ['class { m(a, b,) {} }', 2, 2],
    ['class { m(a, b = 1) {} }', 1, 2],
    ['class { m(a = 1, b) {} }', 0, 2],
    ['class { m(a, ...rest) {} }', 1, Infinity],
    ['class { m(...rest) {} }', 0, Infinity],
    ['class { m({ a, b }, [c, d]) {} }', 2, 2],
    ['class { m({ a, b } = {}, [c, d] = [1, 2]) {} }', 0, 2],
    ['class { m(a = f(1, 2), b = [3, (4, 5)]) {} }', 0, 2],
    ['class { m(a = ",", b = \')\', c = `(${"x"}, ]`) {} }', 0, 3],
    ['class { m(a = "\\", (", b) {} }', 0, 2],
    ['class { m(a /* , b ) */, c) {} }', 2, 2],
    ['class { m(/* none */) {} }', 0, 0],
    ['class { m(a, // the key, or (a tuple\n b) {} }', 2, 2],
    ['class { m(// nothing yet)\n a, b) {} }', 2, 2],
    ['class { m(a = (x) => x, b = (y, z) => { return [y, z]; }) {} }', 0, 2],
    ['class { async m(a, b) {} }', 2, 2],
    ['class { *m(a) {} }', 1, 1],
    ['class { m = (a, b) => a }', 2, 2],
    ['class { m = a => a }', 1, 1],
    ['class { m = function (a, b, c) {} }', 3, 3],
  ])('%s: takes %d to %d', (source, min, max) => {
    expect(arity(new (classFrom(source))(), 'm')).toEqual({ min, max });
  });

  it('a native or bound function takes any number beyond its length', () => {
    const servant = { m: Math.max, b: function (this: unknown, a: unknown, b: unknown) { return [a, b]; }.bind(null) };
    expect(arity(servant, 'm')).toEqual({ min: 2, max: Infinity });
    expect(arity(servant, 'b')).toEqual({ min: 2, max: Infinity });
  });
});

describe('dispatchTableOf: registered types are called as Python calls them', () => {
  it('no minimum: optional parameters and a built-in function\'s length do not count', () => {
    const Counter = classFrom('class { reset(to, note) {} add(a, b = 1) {} }');
    const table = dispatchTableOf(registeredSpec(), new Counter());
    expect(table.get('reset')).toMatchObject({ min: 0, max: 2 });
    expect(table.get('add')).toMatchObject({ min: 0, max: 2 });
    // A generator's next() has length 1; Python's __next__ takes no argument.
    const generator = (function* () {
      yield 1;
    })();
    const next = dispatchTableOf(registeredSpec(), generator).get('next');
    expect(next).toMatchObject({ min: 0, max: Infinity });
    expect(next!.fn.apply(generator, [])).toEqual({ value: 1, done: false });
  });

  it('without an exposed list, the public methods of each kind of object, and methodToTypeId methods', () => {
    class Counter {
      n = 0;
      increment(): number {
        return ++this.n;
      }
      _secret(): void {}
      str(): string {
        return 'a hook, not a method';
      }
    }
    class Declared {
      static exposed = ['only'];
      only(): void {}
      other(): void {}
    }
    const spec = new TypeRegistry().register('R', { create: () => ({}), exposed: null, methodToTypeId: { iterate: 'It' } });
    expect([...dispatchTableOf(spec, new Counter()).keys()]).toEqual(['increment']);
    expect([...dispatchTableOf(spec, new Declared()).keys()]).toEqual(['only']);
    const plain = { iterate: () => [], run: () => 1 };
    expect([...dispatchTableOf(spec, plain).keys()].sort()).toEqual(['iterate', 'run']);
  });
});
