/**
 * A live cell's controls in the page's URL, so a link reproduces what the instructor shows:
 * `?race.tokens=128&race.prompt=Emma`. Pure functions over the query string: each cell owns the
 * parameters that start with its name and a dot, only values that differ from the defaults are
 * written (Reset leaves a clean URL), and a value that does not fit is ignored, never trusted.
 */

export type Plain = string | number | boolean;
/** Allowed values of a field: a list, or a test. Without one, any value of the default's type passes. */
export type Allowed = readonly Plain[] | ((v: Plain) => boolean);

/** Longest text a URL may set (a prompt); a longer value is ignored. */
export const MAX_TEXT = 2000;

function parseValue(raw: string, fallback: Plain): Plain | undefined {
  if (typeof fallback === 'boolean') return raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined;
  if (typeof fallback === 'number') {
    if (raw.trim() === '') return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v)) return undefined;
    // An integer default (a layer, a count) takes integers only.
    return Number.isInteger(fallback) && !Number.isInteger(v) ? undefined : v;
  }
  return raw.length <= MAX_TEXT ? raw : undefined;
}

const passes = (v: Plain, allowed: Allowed | undefined) =>
  allowed === undefined ? true : typeof allowed === 'function' ? allowed(v) : allowed.includes(v);

/** The fields of `defaults` that `search` sets for `cell`, parsed and checked. */
export function readCellState<S extends Record<string, unknown>>(
  search: string,
  cell: string,
  defaults: S,
  allowed: Partial<Record<keyof S, Allowed>> = {},
): Partial<S> {
  const params = new URLSearchParams(search);
  const out: Partial<S> = {};
  for (const key of Object.keys(defaults) as (keyof S & string)[]) {
    const fallback = defaults[key];
    if (!['string', 'number', 'boolean'].includes(typeof fallback)) continue;
    const raw = params.get(`${cell}.${key}`);
    if (raw === null) continue;
    const v = parseValue(raw, fallback as Plain);
    if (v !== undefined && passes(v, allowed[key])) out[key] = v as S[keyof S & string];
  }
  return out;
}

/** `search` with this cell's parameters replaced by the fields of `state` that differ from `defaults`. */
export function writeCellState<S extends Record<string, unknown>>(search: string, cell: string, state: S, defaults: S): string {
  const params = new URLSearchParams(search);
  for (const key of [...params.keys()]) if (key.startsWith(`${cell}.`)) params.delete(key);
  for (const key of Object.keys(defaults)) {
    const v = state[key];
    if (!['string', 'number', 'boolean'].includes(typeof v) || v === defaults[key]) continue;
    params.set(`${cell}.${key}`, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** An allowed-values test for integers in [min, max]. */
export const intIn = (min: number, max: number) => (v: Plain) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
