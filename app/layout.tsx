import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { BackendBadge } from '@/components/BackendBadge';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'KV Cache Lab', template: '%s · KV Cache Lab' },
  description: 'An interactive notebook on how the KV cache makes LLM text generation fast, with a small GPT running in your browser.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#fbfaf7' },
    { media: '(prefers-color-scheme: dark)', color: '#16171a' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="site-header-inner">
            <Link href="/" className="site-title">
              <span className="site-logo" aria-hidden="true">
                K|V
              </span>
              KV Cache Lab
            </Link>
            <nav aria-label="Site" className="site-nav">
              <Link href="/">Lessons</Link>
              <Link href="/device/">Your device</Link>
            </nav>
            <BackendBadge />
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>KV Cache Lab runs entirely in your browser; nothing you do here leaves this page unless you press “Share with the class”.</p>
        </footer>
      </body>
    </html>
  );
}
