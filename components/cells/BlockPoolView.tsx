'use client';

import type { ServerView, SessionView } from '@/lib/lessons/serving-sim';
import { PREFIX_OWNER } from '@/lib/lessons/serving';
import './serving.css';

const who = (o: number) => (o === PREFIX_OWNER ? 'shared prefix' : `session ${o}`);
/** A session's colour class: eight hues, reused. */
export const hue = (id: number) => (id === PREFIX_OWNER ? 'owner-prefix' : `owner-${id % 8}`);

/** The block pool: one square per block, coloured by who points at it, filled to the positions written. */
export function BlockPoolView({ view }: { view: ServerView }) {
  return (
    <ol
      className="pool"
      aria-label={`Block pool: ${view.numBlocks} blocks of ${view.blockSize} positions`}
      data-pool-used={view.used}
      data-pool-free={view.free}
    >
      {view.owners.map((owners, b) => {
        const shared = owners.length > 1;
        const label =
          owners.length === 0
            ? 'free'
            : `${owners.map(who).join(', ')}; ${view.filled[b]} of ${view.blockSize} ` +
              `positions${shared ? `; ${owners.length} references` : ''}`;
        return (
          <li
            key={b}
            className={`pool-block ${owners.length === 0 ? 'pool-free' : hue(owners[0])}${shared ? ' pool-shared' : ''}`}
            data-block={b}
            data-refs={owners.length}
            title={`block ${b}: ${label}`}
          >
            <span className="pool-id" aria-hidden="true">
              {b}
            </span>
            {owners.length > 0 ? (
              <span className="pool-fill" style={{ height: `${(100 * view.filled[b]) / view.blockSize}%` }} aria-hidden="true" />
            ) : null}
            {shared ? (
              <span className="pool-refs" aria-hidden="true">
                ×{owners.length}
              </span>
            ) : null}
            <span className="visually-hidden">
              Block {b}: {label}.
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** Each session's block table: the block ids it reads, in order, and what a contiguous allocator would reserve for it. */
export function BlockTables({ sessions, blockSize, reserve }: { sessions: readonly SessionView[]; blockSize: number; reserve: number }) {
  if (sessions.length === 0) return null;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Block tables">
      <table className="num-table block-tables" data-block-tables={sessions.length}>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Positions</th>
            <th scope="col">Block table</th>
            <th scope="col">Paged: empty slots</th>
            <th scope="col">Contiguous: reserved, unused</th>
            <th scope="col">Text so far</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-session={s.id} data-done={s.done}>
              <th scope="row">
                <span className={`owner-dot ${hue(s.id)}`} aria-hidden="true" /> {s.id}
                {s.done ? ' (done)' : ''}
              </th>
              <td>{s.length}</td>
              <td className="table-ids" data-table={s.blocks.join(',')}>
                {s.done ? <span className="muted">given back</span> : `[${s.blocks.join(', ')}]`}
              </td>
              <td>{s.done ? '—' : s.blocks.length * blockSize - s.length}</td>
              <td>{s.done ? '—' : reserve - s.length}</td>
              <td className="session-text">
                <q>{s.text}</q>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
