'use client';

import { useEffect, useRef } from 'react';

export interface CacheHeatmapProps {
  /** One row per position: [T][width]. */
  rows: readonly (readonly number[])[];
  /** What the block is, e.g. "K, layer 1"; also names the picture for screen readers. */
  title: string;
  /** Values at ±scale get full colour. */
  scale: number;
  /** CSS pixels per column and per row. */
  cellWidth: number;
  rowHeight: number;
  /** Draw a faint line every `group` columns (head boundaries). */
  group?: number;
  /** Mark the last row as new (animated in unless the reader prefers reduced motion). */
  highlightLast?: boolean;
  /** Fade the whole block (the query: used once, then dropped). */
  transient?: boolean;
  /** Extra data attribute for tests: `data-heatmap`. */
  name?: string;
}

const POS = [194, 65, 12]; // orange: positive
const NEG = [45, 106, 227]; // blue: negative

/** A block of numbers as a canvas of coloured cells: blue below zero, orange above, transparent at 0. */
export function CacheHeatmap({ rows, title, scale, cellWidth, rowHeight, group, highlightLast, transient, name }: CacheHeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = (rows[0]?.length ?? 0) * cellWidth;
  const height = rows.length * rowHeight;

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.max(1, Math.round(width * dpr));
    el.height = Math.max(1, Math.round(height * dpr));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    rows.forEach((row, t) => {
      row.forEach((v, i) => {
        const a = Math.min(1, Math.abs(v) / scale);
        const [r, g, b] = v >= 0 ? POS : NEG;
        ctx.fillStyle = `rgba(${r}, ${g}, ${b}, ${a.toFixed(3)})`;
        ctx.fillRect(i * cellWidth, t * rowHeight, cellWidth, rowHeight);
      });
    });
    if (group && rows[0] && rows[0].length > group) {
      ctx.fillStyle = 'rgba(128, 128, 128, 0.6)';
      for (let x = group; x < rows[0].length; x += group) ctx.fillRect(x * cellWidth - 0.5, 0, 1, height);
    }
  }, [rows, scale, cellWidth, rowHeight, group, width, height]);

  const width0 = rows[0]?.length ?? 0;
  return (
    <figure className={`heatmap${transient ? ' heatmap-transient' : ''}`} data-heatmap={name} data-rows={rows.length}>
      <figcaption className="heatmap-title">
        {title}{' '}
        <span className="heatmap-shape">
          ({rows.length} × {width0})
        </span>
      </figcaption>
      <div className="heatmap-canvas" style={{ width, height }}>
        <canvas ref={canvas} style={{ width, height }} role="img" aria-label={`${title}: ${rows.length} rows of ${width0} numbers`} />
        {highlightLast && rows.length > 0 ? (
          <span
            key={rows.length}
            className="heatmap-new-row"
            style={{ top: (rows.length - 1) * rowHeight, height: rowHeight }}
            aria-hidden="true"
          />
        ) : null}
      </div>
    </figure>
  );
}
