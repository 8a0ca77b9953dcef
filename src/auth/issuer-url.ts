/** Plain http is only for an issuer on this machine (the local stack's); anything else must be https. */
export function issuerUrlProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'is not a URL';
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'must be an https URL';
  if (url.search !== '' || url.hash !== '') return 'must have no query or fragment';
  return undefined;
}
