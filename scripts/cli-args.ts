/** Flag parsing shared by the kvlab commands: strict, with one-line UsageErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Flags = Record<string, string | boolean | undefined>;

export const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

/** A number flag, checked: `int` for integers, with an inclusive lower bound and optional upper bound. */
export function num(
  flag: string,
  raw: string | undefined,
  fallback: number,
  o: { int?: boolean; min?: number; max?: number } = {},
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  const bad =
    raw.trim() === '' ||
    !Number.isFinite(v) ||
    (o.int && !Number.isInteger(v)) ||
    (o.min !== undefined && v < o.min) ||
    (o.max !== undefined && v > o.max);
  if (bad) {
    const kind = o.int ? 'an integer' : 'a number';
    const range = `${kind}${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` and ≤ ${o.max}` : ''}`;
    throw new UsageError(`--${flag} must be ${range}, got "${raw}"`);
  }
  return v;
}

/**
 * Strict flag parsing. Node's whole message is kept, on one line, hint included; its placeholder in
 * "use '--tokens=-XYZ'" becomes the value actually typed ("use '--tokens=-1'").
 */
export function parse(args: string[], options: ParseArgsConfig['options']): Flags {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Flags;
  } catch (err) {
    const message = (err as Error).message.replace(/'(--[\w-]+)=-XYZ'/, (hint, flag: string) => {
      const value = args[args.indexOf(flag) + 1];
      return args.includes(flag) && value?.startsWith('-') ? `'${flag}=${value}'` : hint;
    });
    throw new UsageError(message.replace(/\s*\n\s*/g, ' '));
  }
}
