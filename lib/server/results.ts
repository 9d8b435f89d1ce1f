/**
 * The room's results: one JSON object per line in a file, appended as learners submit, read back in
 * full at start-up so a restarted server keeps the class's results. A crash mid-write leaves a torn
 * last line; it is skipped (and the next append starts on a fresh line), never fatal.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a learner's browser submits: anonymous, a nickname at most. */
export interface ResultSubmission {
  kind: 'race' | 'bench';
  nickname?: string;
  /** A short description of the machine (GPU adapter or platform), chosen by the page, not typed. */
  device: string;
  backend: string;
  software?: boolean;
  model: string;
  /** Generated tokens: the "size" the class page groups by. */
  tokens: number;
  repeats: number;
  naiveMedianMs: number;
  cachedMedianMs: number;
  tokensMatch: boolean;
}

/** A stored result: the submission, when it arrived, and the speedup the server computed from it. */
export interface ClassResult extends ResultSubmission {
  id: string;
  at: string;
  /** naiveMedianMs / cachedMedianMs, computed here so every result's ratio has one formula. */
  speedup: number;
}

const ms = { type: 'number', exclusiveMinimum: 0, maximum: 1e7 } as const;
const word = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f\\u007f<>]+$' }) as const;

/** JSON schema of POST /api/results (Fastify validates bodies with it before the handler runs). */
export const submissionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'device', 'backend', 'model', 'tokens', 'repeats', 'naiveMedianMs', 'cachedMedianMs', 'tokensMatch'],
  properties: {
    kind: { type: 'string', enum: ['race', 'bench'] },
    nickname: word(32),
    device: word(80),
    backend: { type: 'string', pattern: '^[a-z0-9-]{1,16}$' },
    software: { type: 'boolean' },
    model: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,40}$' },
    tokens: { type: 'integer', minimum: 1, maximum: 4096 },
    repeats: { type: 'integer', minimum: 1, maximum: 100 },
    naiveMedianMs: ms,
    cachedMedianMs: ms,
    tokensMatch: { type: 'boolean' },
  },
} as const;

/** Largest accepted request body, in bytes: a submission is about 300. */
export const MAX_BODY_BYTES = 4096;
/** A room that submits more than this has a runaway script, not more learners. */
export const MAX_RESULTS = 20_000;

/** True when a parsed line has the shape of a stored result (a hand-edited file may not). */
function isStored(v: unknown): v is ClassResult {
  const r = v as ClassResult;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    typeof r.at === 'string' &&
    typeof r.backend === 'string' &&
    typeof r.device === 'string' &&
    typeof r.tokens === 'number' &&
    Number.isFinite(r.naiveMedianMs) &&
    Number.isFinite(r.cachedMedianMs)
  );
}

export interface ResultsStore {
  all(): readonly ClassResult[];
  add(s: ResultSubmission): Promise<ClassResult>;
  /** Lines of the file that could not be read (a torn last line, a hand edit). */
  skipped: number;
}

/** Opens (or creates on first write) the JSONL file at `file`, loading what it already holds. */
export async function openResults(file: string): Promise<ResultsStore> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const results: ClassResult[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isStored(v)) results.push(v);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  // A torn last line has no newline: start the next record on a line of its own.
  let needsNewline = text.length > 0 && !text.endsWith('\n');
  let writes: Promise<unknown> = mkdir(dirname(file), { recursive: true });

  return {
    skipped,
    all: () => results,
    add(s) {
      const r: ClassResult = { ...s, id: randomUUID(), at: new Date().toISOString(), speedup: s.naiveMedianMs / s.cachedMedianMs };
      const line = `${needsNewline ? '\n' : ''}${JSON.stringify(r)}\n`;
      needsNewline = false;
      // One append at a time, in arrival order; the result is visible once it is on disk.
      const done = writes.then(() => appendFile(file, line, 'utf8'));
      writes = done.catch(() => undefined);
      return done.then(() => {
        results.push(r);
        return r;
      });
    },
  };
}
