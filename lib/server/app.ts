/**
 * The classroom server (`npx kvlab serve`): the exported site from out/, plus a small JSON API for the
 * room's results. Built as a Fastify instance that is not yet listening, so tests drive it with
 * `app.inject()` and the CLI decides where it listens.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BASE_HEADERS, contentSecurityPolicy, inlineScriptHashes } from './headers';
import { BadPathError, canonicalPath, locationFor } from './paths';
import { MAX_BODY_BYTES, MAX_RESULTS, openResults, submissionSchema, type ResultSubmission } from './results';

export interface ServerOptions {
  /** The exported site (out/). */
  root: string;
  /** The JSONL file of class results; without it the results API is off and /api/health says so. */
  resultsFile?: string;
  /** Called once per finished request (the CLI's --log). */
  onLog?: (line: string) => void;
}

/** Largest request head Node accepts before answering 431 (its default is 16 KiB). */
export const MAX_HEADER_BYTES = 16 * 1024;

type Found = { file: string; kind: 'file' | 'folder' } | null;

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The file a canonical path names, the way a static host serves Next's export (trailingSlash: true). */
async function findFile(root: string, segments: readonly string[]): Promise<Found> {
  // Dot-files (.env, .git) are never part of the export.
  if (segments.some((s) => s.startsWith('.'))) return null;
  const base = join(root, ...segments);
  if (segments.length && (await isFile(base))) return { file: base, kind: 'file' };
  if (await isFile(join(base, 'index.html'))) return { file: join(base, 'index.html'), kind: 'folder' };
  if (segments.length && (await isFile(`${base}.html`))) return { file: `${base}.html`, kind: 'file' };
  return null;
}

/** HTML pages are read whole (they are small) so that their inline scripts can be hashed into the CSP. */
const htmlCache = new Map<string, { mtimeMs: number; body: string; csp: string }>();
async function readHtml(file: string): Promise<{ body: string; csp: string }> {
  const { mtimeMs } = await stat(file);
  const hit = htmlCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit;
  const body = await readFile(file, 'utf8');
  const entry = { mtimeMs, body, csp: contentSecurityPolicy(inlineScriptHashes(body)) };
  htmlCache.set(file, entry);
  return entry;
}

async function sendHtml(reply: FastifyReply, file: string, status: number): Promise<FastifyReply> {
  const { body, csp } = await readHtml(file);
  return reply
    .code(status)
    .header('Content-Security-Policy', csp)
    .header('Cache-Control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(body);
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

async function notFound(reply: FastifyReply, root: string): Promise<FastifyReply> {
  const page = join(root, '404.html');
  if (await isFile(page)) return sendHtml(reply, page, 404);
  return plain(reply, 404, 'Not found');
}

/** GET and HEAD of any path that is not an API: a file of the export, a redirect, or the 404 page. */
async function serveStatic(req: FastifyRequest, reply: FastifyReply, root: string): Promise<FastifyReply> {
  const q = req.url.indexOf('?');
  const pathname = q >= 0 ? req.url.slice(0, q) : req.url;
  const search = q >= 0 ? req.url.slice(q) : '';
  const path = canonicalPath(pathname);
  const found = await findFile(root, path.segments);
  if (!found) return notFound(reply, root);
  // /device → /device/ (the export's relative URLs expect it); /.//device → /device/, never //device/.
  const folderWithoutSlash = found.kind === 'folder' && path.segments.length > 0 && !path.trailingSlash;
  if (folderWithoutSlash || path.changed || (found.kind === 'file' && path.trailingSlash)) {
    if (found.kind === 'file' && path.trailingSlash && !path.changed) return notFound(reply, root);
    return reply
      .code(308)
      .header('Location', locationFor(path.segments, found.kind === 'folder', search))
      .send();
  }
  if (found.file.endsWith('.html')) return sendHtml(reply, found.file, 200);
  const immutable = pathname.startsWith('/_next/static/');
  reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (found.file.endsWith('.wasm')) reply.type('application/wasm');
  return reply.sendFile(found.file.slice(root.length + 1), root, { cacheControl: false });
}

const methodNotAllowed = (allow: string) => async (_req: FastifyRequest, reply: FastifyReply) =>
  reply
    .code(405)
    .header('Allow', allow)
    .type('application/json; charset=utf-8')
    .send({ error: `Method not allowed: use ${allow}` });

const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Builds the server (not listening). Loads the results file first, so a restart shows what was there. */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const root = resolve(opts.root);
  const results = opts.resultsFile ? await openResults(opts.resultsFile) : null;
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // Fastify's Ajv defaults drop unknown fields and coerce "128" to 128; a result must be exactly right.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // A path the router cannot decode (GET /%) gets the same plain 400 as one our own parser rejects.
    frameworkErrors: (err, _req, reply) => {
      const status = err.code === 'FST_ERR_BAD_URL' ? 400 : (err.statusCode ?? 400);
      const text = status === 400 ? 'Bad request: the address has a malformed % escape.' : err.message;
      // This reply skips the onSend hooks: it gets the security headers here.
      void plain(reply.headers({ ...BASE_HEADERS, 'Content-Security-Policy': contentSecurityPolicy() }) as FastifyReply, status, text);
    },
  });
  await app.register(fastifyStatic, { root, serve: false, dotfiles: 'deny' });
  // Only JSON bodies: a cross-site form cannot send application/json without a preflight we refuse.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (_req, reply) => {
    for (const [k, v] of Object.entries(BASE_HEADERS)) reply.header(k, v);
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', contentSecurityPolicy());
  });
  if (opts.onLog) {
    const log = opts.onLog;
    app.addHook('onResponse', async (req, reply) => log(`${reply.statusCode} ${req.method} ${req.url}`));
  }

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status =
      err instanceof BadPathError ? 400 : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message =
      err instanceof BadPathError || err.code === 'FST_ERR_BAD_URL'
        ? 'Bad request: the address has a malformed % escape.'
        : status === 413
          ? `Too large: a result is at most ${MAX_BODY_BYTES} bytes.`
          : status === 500
            ? 'The server hit an error.'
            : err.message;
    if (status === 500) req.log.error(err);
    if (req.url.startsWith('/api/')) return reply.code(status).type('application/json; charset=utf-8').send({ error: message });
    return plain(reply, status, message);
  });
  app.setNotFoundHandler((req, reply) =>
    req.url.startsWith('/api/') ? reply.code(404).send({ error: 'No such API' }) : notFound(reply, root),
  );

  app.get('/api/health', async (_req, reply) =>
    reply.header('Cache-Control', 'no-store').send({ server: 'kvlab', results: Boolean(results) }),
  );
  app.route({ method: [...OTHER_METHODS], url: '/api/health', handler: methodNotAllowed('GET, HEAD') });

  app.get('/api/results', async (_req, reply) => {
    if (!results) return reply.code(404).send({ error: 'This server keeps no class results.' });
    return reply.header('Cache-Control', 'no-store').send({ results: results.all() });
  });
  app.post<{ Body: ResultSubmission }>('/api/results', { schema: { body: submissionSchema } }, async (req, reply) => {
    if (!results) return reply.code(404).send({ error: 'This server keeps no class results.' });
    if (results.all().length >= MAX_RESULTS)
      return reply.code(503).send({ error: 'The class results are full; restart the server with a new --results file.' });
    const saved = await results.add(req.body);
    return reply.code(201).send({ result: saved });
  });
  app.route({ method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/api/results', handler: methodNotAllowed('GET, HEAD, POST') });

  app.get('/*', (req, reply) => serveStatic(req, reply, root));
  app.route({ method: [...OTHER_METHODS], url: '/*', handler: methodNotAllowed('GET, HEAD') });
  return app;
}
