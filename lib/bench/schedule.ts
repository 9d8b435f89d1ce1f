/**
 * The order of a bench run's steps (`kvlab bench` and the /bench/ page alike), and which paths a
 * backend is worth timing, as plain data: no tfjs, so the page can count steps and offer controls
 * without loading the model code.
 */
import type { PathName, StepKind } from './measure';

/** Untimed cached steps before each timed step (benchSchedule says why 24). */
export const RUN_UP = 24;

/** One step of a bench run: which setup, kind and path, and whether it is timed or a run-up. */
export interface ScheduledStep {
  setup: number;
  kind: StepKind;
  path: PathName;
  /** A warm-up round's step, or the run-up before a step, is run but not recorded. */
  timed: boolean;
  /** The round it belongs to (warm-ups first). */
  round: number;
  runUp: boolean;
}

/**
 * The order of a bench run's steps: warm-ups first, then `repeats` rounds in which each (kind, path)
 * runs once at each position. The order rotates every round — positions, and the combinations
 * within each — so slow drift (thermal, other processes, the first steps' JIT and allocator warm-up)
 * lands on all of them alike instead of on whichever ran last; a flatness ratio (a late position
 * over an early one) then compares steps timed minutes apart no more than it compares steps timed
 * side by side.
 *
 * Every step comes after a run-up: RUN_UP untimed cached steps of its own path at its own position.
 * Generation runs a step right after others like it, which have just read the same weights; in an
 * interleaved run the step before may instead be a naive step at the longest position, whose
 * activations push the weights out of the CPU's caches, and they come back over several steps, not
 * one. Measured here (wasm, ~11M model, static path, medians of cached steps one after another
 * following a naive step at 1,000): at 16 positions 5.3, 4.9, 4.3, 3.7, 3.3, then 2.7–3.1 ms from the
 * sixth step; at 1,000 positions 7.0, 6.7, 7.2, 6.4 … 5.9 (tenth step) … 4.6 (fifteenth) … 3.5
 * (twenty-fourth), then 3.1–3.3 ms (austen: steady from the third step). The longer the position, the
 * more the step reads and the more passes the machine's last-level cache takes to hold it again. With
 * four run-ups the bench timed 10m's step at 1,000 at 6.9 ms, for a step generation runs in ~3.2: most
 * of that transient, and charged to long positions, whose naive steps evict more too. Naive steps get
 * the same run-up: it leaves the weights where a naive generation's previous step would, and costs
 * little beside them.
 */
export function benchSchedule(setups: number, combos: readonly (readonly [StepKind, PathName])[], warmup: number, repeats: number, runUp = RUN_UP): ScheduledStep[] {
  const out: ScheduledStep[] = [];
  for (let round = 0; round < warmup + repeats; round++) {
    for (let i = 0; i < setups; i++) {
      const setup = (round + i) % setups;
      for (let j = 0; j < combos.length; j++) {
        const [kind, path] = combos[(round + j) % combos.length];
        for (let r = 0; r < runUp; r++) out.push({ setup, kind: 'cached', path, timed: false, round, runUp: true });
        out.push({ setup, kind, path, timed: round >= warmup, round, runUp: false });
      }
    }
  }
  return out;
}

/**
 * Where the static cache's path is worth timing: tfjs-wasm, whose heap JavaScript may write, so each
 * new row goes into its slot in place. Elsewhere every append copies the slab (kvcache-static.ts):
 * the same values and none of the saving, so the page does not offer it there.
 */
export const staticPathServed = (backend: string): boolean => backend === 'wasm';
