import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { StaticSite } from './api-gateway.js';
import { decodeSegment } from './proxy-events.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.yaml': 'application/yaml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** A JSON document the stack makes rather than reads from disk, by its path (`/config.json`). */
export type GeneratedFiles = Record<string, unknown>;

/**
 * Serves the files of `root`; `/` is `index.html`. Paths that climb out of `root`, or that are not
 * valid percent-encoding, are not found. A path of `generated` is served as that JSON instead.
 */
export function createStaticSite(root: string, generated: GeneratedFiles = {}): StaticSite {
  return {
    async get(path) {
      if (Object.hasOwn(generated, path)) return { contentType: CONTENT_TYPES['.json']!, body: Buffer.from(JSON.stringify(generated[path])) };
      const decoded = decodeSegment(path === '/' ? '/index.html' : path);
      if (decoded === undefined) return undefined;
      const relative = normalize(decoded).replace(/^([/\\])+/, '');
      if (relative.split(sep).includes('..')) return undefined;
      try {
        const body = await readFile(join(root, relative));
        return { contentType: CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream', body };
      } catch {
        return undefined;
      }
    },
  };
}
