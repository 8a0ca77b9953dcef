import { RequestStatus, type RequestView } from '../contract.js';
import type { ObjectStore } from '../storage/object-store.js';
import { toView, type StoredRequest } from './model.js';

/**
 * The view a caller reads: the item's public fields, and for a complete request what it keeps in
 * the results bucket as presigned URLs, made fresh on every read, valid for `urlSeconds` but
 * never past the request's expiry.
 */
export async function presentView(item: StoredRequest, objects: ObjectStore | undefined, nowMs: number, urlSeconds: number): Promise<RequestView> {
  const view = toView(item);
  if (item.status !== RequestStatus.Complete || objects === undefined) return view;
  const seconds = Math.min(urlSeconds, Math.floor((item.expires_at * 1000 - nowMs) / 1000));
  if (seconds <= 0) return view;
  if (item.result_object !== undefined) {
    view.result_url = await objects.presign(item.result_object.key, seconds);
    view.result_size = item.result_object.size;
  }
  if (item.artifacts !== undefined && item.artifacts.length > 0) {
    view.artifacts = await Promise.all(
      item.artifacts.map(async ({ name, key, size, content_type }) => ({ name, content_type, size, url: await objects.presign(key, seconds) })),
    );
  }
  return view;
}
