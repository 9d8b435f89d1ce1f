import { Fragment } from 'react';
import type { ViewToken } from '@/lib/hooks/useGeneration';

export interface TokenChipsProps {
  /** Tokens in order; those with `prob: null` (the prompt) are drawn quieter than generated ones. */
  tokens: readonly ViewToken[];
  /** Name of the list for screen readers, e.g. "Prompt and generated tokens". */
  label: string;
  /** Highlight the last chip as the newest token (default true). */
  markNewest?: boolean;
}

const percent = (p: number) => `${(p * 100).toFixed(p < 0.01 ? 2 : 1)}%`;

/** What a chip says about its token in words (also its tooltip). */
export function chipDescription(t: ViewToken): string {
  const what = t.prob === null ? 'prompt token' : `chosen with probability ${percent(t.prob)}`;
  return `position ${t.position}, token id ${t.id}, ${what}`;
}

/**
 * Tokens as chips. Spaces show as a faint dot, newlines as ↵ (and break the line), so every token is
 * visible. Hover or focus shows the id and probability; the same words are in visually hidden text.
 */
export function TokenChips({ tokens, label, markNewest = true }: TokenChipsProps) {
  return (
    <ol className="chips" aria-label={label}>
      {tokens.map((t, i) => {
        const newest = markNewest && i === tokens.length - 1 && t.prob !== null;
        const kind = t.prob === null ? 'chip-prompt' : 'chip-generated';
        const visible = t.label.replace(/ /g, '\u00b7');
        const description = chipDescription(t);
        return (
          <Fragment key={t.position}>
          <li className="chip-item">
            <span className={`chip ${kind}${newest ? ' chip-newest' : ''}`} tabIndex={0} data-token-id={t.id}>
              <span aria-hidden="true">{visible || '\u2205'}</span>
              <span className="visually-hidden">
                {JSON.stringify(t.text)}, {description}
              </span>
              <span className="chip-tip" aria-hidden="true">
                id {t.id}
                {t.prob === null ? ' · prompt' : ` · p ${percent(t.prob)}`}
              </span>
            </span>
          </li>
          {t.text.includes('\n') ? <li className="chip-break" aria-hidden="true" /> : null}
          </Fragment>
        );
      })}
    </ol>
  );
}
