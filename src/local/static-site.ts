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

/**
 * Serves the files of `root`; `/` is `index.html`. Paths that climb out of `root`, or that are not
 * valid percent-encoding, are not found.
 */
export function createStaticSite(root: string): StaticSite {
  return {
    async get(path) {
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
