import study from '@/data/sampling-study.json';
import { READABLE_SAMPLING } from '@/lib/lessons/decoding';
import './model.css';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Why the lessons sample with temperature 0.8 and top-k 40: the measured table from
 * scripts/sampling-study.ts (data/sampling-study.json), with one greedy and one default continuation
 * of the same prompt.
 */
export function SamplingStudy() {
  const chosen = study.rows.find(
    (r) => r.sampling.temperature === READABLE_SAMPLING.temperature && 'topK' in r.sampling && r.sampling.topK === READABLE_SAMPLING.topK,
  );
  const greedy = study.rows.find((r) => r.label === 'greedy');
  const prompt = study.prompts[0];
  const example = (row: typeof chosen) => row?.examples.find((e) => e.prompt === prompt);
  return (
    <div className="sampling-study" data-sampling-study="">
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Sampling study (scrolls sideways)">
        <table className="data-table">
          <caption>
            {study.tokens}-token continuations of {study.prompts.length} prompts by the {study.model} model
            {study.modelValPerChar !== null ? ` (${study.modelValPerChar.toFixed(3)} nats/char on validation)` : ''}, {study.seeds.length}{' '}
            seeds per sampled setting
          </caption>
          <thead>
            <tr>
              <th scope="col">Decoding</th>
              <th scope="col">Words found in the training text</th>
              <th scope="col">Word 4-grams repeated</th>
              <th scope="col">Samples</th>
            </tr>
          </thead>
          <tbody>
            {study.rows.map((r) => (
              <tr key={r.label} data-chosen={r === chosen ? '' : undefined}>
                <th scope="row">
                  {r.label}
                  {r === chosen ? ' (the default)' : ''}
                </th>
                <td>{pct(r.realWordRate)}</td>
                <td>{pct(r.repeated4gramRate)}</td>
                <td>{r.samples}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {greedy && chosen ? (
        <dl className="sampling-examples">
          <dt>Greedy</dt>
          <dd>
            <strong>{prompt}</strong>
            {example(greedy)?.text}
          </dd>
          <dt>
            {chosen.label}, seed {example(chosen)?.seed}
          </dt>
          <dd>
            <strong>{prompt}</strong>
            {example(chosen)?.text}
          </dd>
        </dl>
      ) : null}
    </div>
  );
}
