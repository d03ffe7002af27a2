/** The typecodes a manager's `value` and `array` honour: the rules every backend shares. */
export {
  coerceToTypecode as coerce,
  findRangedTypecode as findTypecode,
  type RangedTypecode as Typecode,
} from '@mpts/proxy/wire';
