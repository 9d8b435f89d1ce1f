'use client';

import { LiveCell } from '@/components/notebook/LiveCell';
import { ModelGate } from '@/components/model/ModelGate';
import { StepControls } from '@/components/model/StepControls';
import { useGeneration } from '@/lib/hooks/useGeneration';
import { useModel } from '@/lib/hooks/useModel';
import { bytesPerToken, findPreset, plainCacheElements } from '@/lib/lessons/cache-size';
import { AUSTEN_OPENING, Message } from './OneTokenCell';
import './kv-cells.css';
import './size-cells.css';

const MAX_NEW = 24;
const fmt = (n: number) => n.toLocaleString('en-US');
const austen = findPreset('austen')!;

/**
 * The calculator's `austen` preset against the running model: the bytes the live cache reports, the
 * numbers read back out of it, and the formula, after every step.
 */
export function LiveCacheBytesCell() {
  const m = useModel('austen');
  const gen = useGeneration({ model: m.model, tokenizer: m.tokenizer, prompt: AUSTEN_OPENING, maxNewTokens: MAX_NEW, readCache: true });
  const T = gen.cacheLength;
  // float32 in every tfjs backend: 4 bytes a number.
  const readBack = gen.cache ? plainCacheElements(gen.cache) * 4 : 0;
  const formula = bytesPerToken(austen.layout, austen.dtype) * T;
  const equal = T > 0 && readBack === formula && gen.cacheBytes === formula;

  return (
    <LiveCell
      title="The austen preset, live"
      name="live-cache-bytes"
      description="Step the Austen model: after every step the cache is read back and its bytes compared with the calculator's formula."
      onReset={gen.reset}
      controls={
        <StepControls
          onStep={() => void gen.step()}
          onTogglePlay={gen.togglePlay}
          playing={gen.playing}
          busy={gen.busy}
          disabled={m.status !== 'ready' || gen.status === 'done'}
        />
      }
    >
      <ModelGate model={m} label="the Austen model">
        <Message message={gen.message} />
        <dl className="stats">
          <div>
            <dt>Positions cached (T)</dt>
            <dd data-cache-len={T} aria-live="polite">
              {T}
            </dd>
          </div>
          <div>
            <dt>Bytes the cache reports</dt>
            <dd data-cache-bytes={gen.cacheBytes}>{fmt(gen.cacheBytes)}</dd>
          </div>
          <div>
            <dt>Numbers read back × 4 bytes</dt>
            <dd data-read-bytes={readBack}>{fmt(readBack)}</dd>
          </div>
          <div>
            <dt>Calculator, austen preset</dt>
            <dd data-formula-bytes={formula}>{fmt(formula)}</dd>
          </div>
        </dl>
        {T === 0 ? (
          <p className="cell-hint">Press Step: the prompt is read into the cache, then one row a step is added.</p>
        ) : (
          <p className="check-row" data-equal={equal}>
            {fmt(bytesPerToken(austen.layout, austen.dtype))} bytes per token × T {T} = {fmt(formula)} bytes;{' '}
            {equal ? 'the live cache holds exactly that.' : 'the live cache differs — this should not happen; please report it.'}
          </p>
        )}
      </ModelGate>
    </LiveCell>
  );
}
