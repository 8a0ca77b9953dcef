/**
 * The URL of an incoming request, or undefined when its request target cannot be parsed (an
 * absolute-form target like `http://[/v1/invoke`): the local servers answer that with 400.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
