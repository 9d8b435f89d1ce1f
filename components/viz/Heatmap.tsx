'use client';

import { useRef, type KeyboardEvent } from 'react';
import './viz.css';
import { formatValue } from '@/lib/lessons/qkv';
import { maxAbs } from '@/lib/stats';

export interface HeatmapProps {
  /** Rendered as `data-heatmap` (tests and styling find the heatmap by it). */
  name: string;
  /** What the grid shows; also the table's caption. */
  caption: string;
  /** The numbers, row by row. -Infinity shows as "−∞" on a neutral background. */
  rows: readonly (readonly number[])[];
  /** One label per row (tokens, usually). */
  rowLabels: readonly string[];
  /** One label per column; defaults to 0, 1, 2, … */
  colLabels?: readonly string[];
  /** 'diverging' (default): blue below zero, orange above; 'sequential': 0 → 1 in one hue. */
  scale?: 'diverging' | 'sequential';
  /** Half-range of the diverging scale (or the top of the sequential one); defaults to the data's. */
  domain?: number;
  /** Row to highlight: the token the reader is pointing at. */
  highlight?: number | null;
  /** Column to highlight (for position × position maps). */
  highlightColumn?: number | null;
  /** Called with a row index when a row label is hovered or focused, null when left. */
  onPoint?: (row: number | null) => void;
  /** Print the numbers inside the cells (small grids only). */
  showValues?: boolean;
  /** Side of a cell in CSS pixels when numbers are not printed. */
  cellSize?: number;
  digits?: number;
}

/** Strength of a cell's colour, 0…1, on the chosen scale. */
function strength(x: number, domain: number, scale: 'diverging' | 'sequential'): number {
  if (!Number.isFinite(x) || domain <= 0) return 0;
  return Math.min(1, (scale === 'sequential' ? Math.max(0, x) : Math.abs(x)) / domain);
}

/**
 * A heatmap over plain numbers, drawn as a table: each cell's colour is its value, its number is in
 * the cell for screen readers (and printed when `showValues`), and the row labels are buttons that
 * point at a token — hover or focus one (arrow keys move between them) and the owner highlights that
 * token wherever it appears. Wide grids scroll inside their own box instead of widening the page.
 */
export function Heatmap({
  name,
  caption,
  rows,
  rowLabels,
  colLabels,
  scale = 'diverging',
  domain,
  highlight = null,
  highlightColumn = null,
  onPoint,
  showValues = false,
  cellSize = 14,
  digits = 2,
}: HeatmapProps) {
  const range = domain ?? (maxAbs(rows) || 1);
  // Printed numbers need contrast, so their cells stay paler.
  const maxMix = showValues ? 45 : 92;
  const cols = colLabels ?? (rows[0] ?? []).map((_, j) => String(j));
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const active = highlight !== null && highlight < rows.length ? highlight : 0;

  const onKey = (e: KeyboardEvent, i: number) => {
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    buttons.current[Math.max(0, Math.min(rows.length - 1, to))]?.focus();
  };

  return (
    <figure className="heatmap" data-heatmap={name}>
      <figcaption className="heatmap-caption">{caption}</figcaption>
      {/* Without row buttons nothing inside takes focus, so the scroll box itself must (for keyboard scrolling). */}
      <div className="heatmap-scroll" {...(onPoint ? {} : { tabIndex: 0, role: 'region', 'aria-label': `${caption} (scrolls sideways)` })}>
        <table
          className={`heatmap-grid${showValues ? ' heatmap-values' : ''}`}
          style={{ ['--cell' as string]: `${cellSize}px` }}
          onMouseLeave={() => onPoint?.(null)}
        >
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="heatmap-corner">
                <span className="visually-hidden">Row</span>
              </th>
              {cols.map((c, j) => (
                <th scope="col" key={j} className="heatmap-col" data-highlight={highlightColumn === j ? 'true' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} data-row={i} data-highlight={highlight === i ? 'true' : undefined}>
                <th scope="row" className="heatmap-row">
                  {onPoint ? (
                    <button
                      type="button"
                      ref={(el) => {
                        buttons.current[i] = el;
                      }}
                      // One tab stop per heatmap: arrow keys move between rows.
                      tabIndex={i === active ? 0 : -1}
                      onMouseEnter={() => onPoint(i)}
                      onFocus={() => onPoint(i)}
                      onKeyDown={(e) => onKey(e, i)}
                    >
                      {rowLabels[i]}
                    </button>
                  ) : (
                    rowLabels[i]
                  )}
                </th>
                {row.map((x, j) => {
                  const s = strength(x, range, scale);
                  const hue = scale === 'diverging' && x < 0 ? 'var(--heat-neg)' : 'var(--heat-pos)';
                  const text = formatValue(x, digits);
                  return (
                    <td
                      key={j}
                      title={`${rowLabels[i]} · ${cols[j]}: ${text}`}
                      data-masked={x === -Infinity ? 'true' : undefined}
                      data-highlight={highlightColumn === j ? 'true' : undefined}
                      style={
                        x === -Infinity
                          ? undefined
                          : { background: `color-mix(in srgb, ${hue} ${Math.round(s * maxMix)}%, var(--surface))` }
                      }
                    >
                      {showValues ? text : <span className="visually-hidden">{text}</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
