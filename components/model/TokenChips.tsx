import { Fragment } from 'react';
import type { ViewToken } from '@/lib/hooks/useGeneration';
import { groupTokens, hexBytes, type TokenGroup } from '@/lib/lessons/token-groups';

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

function Chip({ t, newest, partOf }: { t: ViewToken; newest: boolean; partOf: TokenGroup | null }) {
  const kind = t.prob === null ? 'chip-prompt' : 'chip-generated';
  const visible = t.label.replace(/ /g, '\u00b7');
  return (
    <span className={`chip ${kind}${newest ? ' chip-newest' : ''}`} tabIndex={0} data-token-id={t.id}>
      <span aria-hidden="true">{visible || '\u2205'}</span>
      <span className="visually-hidden">
        {partOf ? `bytes ${hexBytes(t.bytes)}, ` : `${JSON.stringify(t.text)}, `}
        {chipDescription(t)}
      </span>
      <span className="chip-tip" aria-hidden="true">
        id {t.id}
        {partOf ? ` · bytes ${hexBytes(t.bytes)}` : ''}
        {t.prob === null ? ' · prompt' : ` · p ${percent(t.prob)}`}
      </span>
    </span>
  );
}

/** The first time a character is split over byte tokens: what the grouped chips mean. */
function ByteNote({ group }: { group: TokenGroup }) {
  const bytes = new TextEncoder().encode(group.text.trim() || group.text).length;
  return (
    <p className="chip-note" data-byte-note="">
      <strong>
        Why “{group.text.trim()}” is {group.count} chips:
      </strong>{' '}
      the tokenizer is byte-level BPE, like GPT-2&rsquo;s. It starts from the 256 possible bytes and merges the pairs that were frequent in
      its training text. Austen wrote no emoji and almost no letters outside Latin script, so the {bytes} UTF-8 bytes of “
      {group.text.trim()}” were never merged: each chip is one or more bytes that are not a character alone (drawn as �), and the bar above
      them shows the character they spell together. Hover or focus a chip to see its bytes.
    </p>
  );
}

/**
 * Tokens as chips. Spaces show as a faint dot, newlines as ↵ (and break the line), so every token is
 * visible. Byte tokens that only together spell a character are grouped under a bar with that
 * character. Hover or focus shows the id, probability and (for byte tokens) the bytes; the same words
 * are in visually hidden text.
 */
export function TokenChips({ tokens, label, markNewest = true }: TokenChipsProps) {
  const groups = groupTokens(tokens.map((t) => t.bytes));
  const firstSplit = groups.find((g) => g.count > 1) ?? null;
  const isNewest = (i: number) => markNewest && i === tokens.length - 1 && tokens[i].prob !== null;
  return (
    <>
      <ol className="chips" aria-label={label}>
        {groups.map((g) => {
          const members = tokens.slice(g.start, g.start + g.count);
          const last = members[members.length - 1];
          const brk = last.text.includes('\n') ? <li className="chip-break" aria-hidden="true" /> : null;
          if (g.count === 1) {
            return (
              <Fragment key={last.position}>
                <li className="chip-item">
                  <Chip t={last} newest={isNewest(g.start)} partOf={null} />
                </li>
                {brk}
              </Fragment>
            );
          }
          return (
            <Fragment key={members[0].position}>
              <li className="chip-item chip-group" data-char-group={g.text}>
                <span className="chip-group-char" aria-hidden="true">
                  {g.text.replace(/ /g, '\u00b7')}
                </span>
                <span className="visually-hidden">
                  {JSON.stringify(g.text)} spelled by the next {g.count} byte tokens:
                </span>
                <span className="chip-group-row">
                  {members.map((t, j) => (
                    <Chip key={t.position} t={t} newest={isNewest(g.start + j)} partOf={g} />
                  ))}
                </span>
              </li>
              {brk}
            </Fragment>
          );
        })}
      </ol>
      {firstSplit ? <ByteNote group={firstSplit} /> : null}
    </>
  );
}
