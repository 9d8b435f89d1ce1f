import type { ReactNode } from 'react';

/** A prose cell: a card of lesson text. Markdown inside it works when surrounded by blank lines. */
export function Cell({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <section className="cell cell-prose" aria-label={label}>
      {children}
    </section>
  );
}

/** A side remark inside a lesson ("What to notice", "Check yourself"). */
export function Aside({ title, children }: { title: string; children: ReactNode }) {
  return (
    <aside className="aside">
      <p className="aside-title">{title}</p>
      {children}
    </aside>
  );
}
