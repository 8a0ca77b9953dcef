import { RequestStatus, type RequestView } from '../contract.js';
import type { ObjectStore } from '../storage/object-store.js';
import { StorageUnavailableError } from './errors.js';
import { toView, type StoredRequest } from './model.js';

/**
 * The view a caller reads, and a webhook carries: the item's public fields, and for a complete
 * request what it keeps in the results bucket as presigned URLs, made fresh on every read, valid
 * for `urlSeconds` but never past the request's expiry. A view is whole or none: a URL lives for
 * whole seconds, so in the last second before expiry none can be signed, and a request with
 * objects then reads as gone (`undefined`), as it will be a moment later. How many URLs a view
 * holds is bounded by MAX_FILES, which keeps it well under Lambda's 6 MB response limit.
 */
export async function presentView(item: StoredRequest, objects: ObjectStore | undefined, nowMs: number, urlSeconds: number): Promise<RequestView | undefined> {
  const view = toView(item);
  const files = item.artifacts ?? [];
  const keys = [...(item.result_object !== undefined ? [item.result_object.key] : []), ...files.map((file) => file.key)];
  if (item.status !== RequestStatus.Complete || keys.length === 0) return view;
  if (objects === undefined) throw new StorageUnavailableError('a complete request keeps objects in the results bucket, and RESULTS_BUCKET is not set');
  const seconds = Math.min(urlSeconds, Math.floor((item.expires_at * 1000 - nowMs) / 1000));
  if (seconds < 1) return undefined;
  const urls = await objects.presign(keys, seconds);
  if (item.result_object !== undefined) {
    view.result_url = urls.shift();
    view.result_size = item.result_object.size;
  }
  if (files.length > 0) view.artifacts = files.map(({ name, size, content_type }, index) => ({ name, content_type, size, url: urls[index]! }));
  return view;
}
