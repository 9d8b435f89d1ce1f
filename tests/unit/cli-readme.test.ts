import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Runs every `npx kvlab` line of the README's "Command line" block, on the shipped model, as
 * `node bin/kvlab.js` with the same flags, made small: at most 4 tokens, a --text-file cut to its first
 * 4,000 characters, a --split limited to 4,000. A README example that stops working fails here.
 */
const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('## Command line'));
const block = section.slice(section.indexOf('```sh') + 5, section.indexOf('```', section.indexOf('```sh') + 5));
const examples = block
  .split('\n')
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter((l) => l.startsWith('npx kvlab '));

/** Shell-like words: double-quoted strings stay one word. */
const words = (line: string) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);

const tmp = mkdtempSync(join(tmpdir(), 'kvlab-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function shrink(args: string[]): { args: string[]; tokens?: number } {
  const out = [...args];
  const t = out.indexOf('--tokens');
  let tokens: number | undefined;
  if (out[0] === 'generate') {
    tokens = Math.min(4, t >= 0 ? Number(out[t + 1]) : Infinity);
    if (t >= 0) out[t + 1] = String(tokens);
    else out.push('--tokens', String(tokens));
  }
  if (out.includes('--split')) out.push('--limit-chars', '4000');
  const f = out.indexOf('--text-file');
  if (f >= 0) {
    const cut = join(tmp, `excerpt-${f}.txt`);
    writeFileSync(cut, readFileSync(out[f + 1], 'utf8').slice(0, 4000));
    out[f + 1] = cut;
  }
  return { args: out, tokens };
}

describe("the README's command-line examples", () => {
  it('are there: generate (text, naive --json, sampling) and eval', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(examples.some((e) => e.includes(' eval ') && e.includes('--split val'))).toBe(true);
    expect(examples.some((e) => e.includes(' eval ') && e.includes('--text-file'))).toBe(true);
    expect(examples.some((e) => e.includes('--json'))).toBe(true);
  });

  for (const example of examples) {
    it(`runs: ${example}`, () => {
      const { args, tokens } = shrink(words(example).slice(2));
      const r = spawnSync('node', ['bin/kvlab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).not.toMatch(/kvlab:/); // no error and no note (eval's progress may be there)
      expect(r.status).toBe(0);
      if (args.includes('--json')) {
        const out = JSON.parse(r.stdout);
        expect(out.tokens).toHaveLength(tokens!);
        expect(out.backend).toBe('wasm'); // the default
      } else if (args[0] === 'generate') {
        const prompt = args[args.indexOf('--prompt') + 1];
        expect(r.stdout.startsWith(prompt)).toBe(true);
        expect(r.stdout.length).toBeGreaterThan(prompt.length + 1);
        expect(r.stdout).not.toContain('\uFFFD');
      } else {
        const m = r.stdout.match(/per character (\d+\.\d+) nats/);
        expect(m).not.toBeNull();
        expect(Number(m![1])).toBeGreaterThan(0.5); // nats per character of English: a real, finite loss
        expect(Number(m![1])).toBeLessThan(5);
      }
    });
  }
});
