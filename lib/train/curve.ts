/**
 * A run continued from an exported model starts its loss.csv at step 1 again. To ship one training
 * curve for the model, the continuation's rows go after the first run's, with step, tokens_seen and
 * elapsed_s counted on from where the first run ended. Both files have train.ts's header.
 */
export const CURVE_HEADER = 'step,lr,train_loss,val_loss,grad_norm,tokens_seen,elapsed_s';

/** The rows of `next` appended to `prev`, counted on; throws on a file that is not a loss.csv. */
export function appendCurve(prev: string, next: string): string {
  const rows = (csv: string, which: string) => {
    const lines = csv.trim().split('\n');
    if (lines[0] !== CURVE_HEADER) throw new Error(`${which} loss.csv does not start with "${CURVE_HEADER}"`);
    return lines.slice(1).map((l) => l.split(','));
  };
  const a = rows(prev, 'the first');
  const b = rows(next, 'the continued');
  const last = a[a.length - 1];
  const [step0, tokens0, secs0] = last ? [Number(last[0]), Number(last[5]), Number(last[6])] : [0, 0, 0];
  const moved = b.map(([step, lr, train, val, grad, tokens, secs]) =>
    [Number(step) + step0, lr, train, val, grad, Number(tokens) + tokens0, (Number(secs) + secs0).toFixed(1)].join(','),
  );
  return [CURVE_HEADER, ...a.map((r) => r.join(',')), ...moved].join('\n') + '\n';
}
