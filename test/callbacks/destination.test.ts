import { describe, expect, it } from 'vitest';
import { CallbackRefusedError, parseCallbackUrl } from '../../src/callbacks/callback-url.js';
import { isDeliverable, resolveDestination } from '../../src/callbacks/destination.js';

const AWS = { allowedHosts: [], allowLoopback: false };
const LOCAL = { allowedHosts: [], allowLoopback: true };

describe('isDeliverable', () => {
  it.each([
    ['93.184.215.14', true],
    ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', true],
    ['10.0.0.1', false],
    ['172.16.5.4', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false], // carrier-grade NAT
    ['169.254.169.254', false], // the instance metadata service
    ['127.0.0.1', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fd00:ec2::254', false], // the metadata service over IPv6
    ['::ffff:10.0.0.1', false],
    ['::ffff:127.0.0.1', false],
    ['64:ff9b::a00:1', false], // NAT64 of 10.0.0.1
    ['::7f00:1', false], // IPv4-compatible ::127.0.0.1
    ['::a9fe:a9fe', false], // IPv4-compatible ::169.254.169.254
    ['::a00:1', false], // IPv4-compatible ::10.0.0.1
    ['2002:a00:1::1', false], // 6to4 of 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false], // Teredo
    ['not an address', false],
  ])('%s → %s', (address, expected) => {
    expect(isDeliverable(address, false)).toBe(expected);
  });

  it('lets loopback through only when allowed, and still nothing private', () => {
    expect([isDeliverable('127.0.0.1', true), isDeliverable('::1', true), isDeliverable('::ffff:127.0.0.1', true)]).toEqual([true, true, true]);
    expect(isDeliverable('10.0.0.1', true)).toBe(false);
  });
});

describe('parseCallbackUrl', () => {
  it('takes https anywhere, and a host the allow-list names exactly or by suffix', () => {
    const policy = { allowedHosts: ['hooks.example.com', '*.example.org'], allowLoopback: false };
    expect(parseCallbackUrl('https://hooks.example.com/x', policy).href).toBe('https://hooks.example.com/x');
    expect(parseCallbackUrl('https://a.b.example.org/x', policy).hostname).toBe('a.b.example.org');
    for (const url of ['https://example.org/x', 'https://evil-example.org/x', 'https://hooks.example.com.evil.net/x']) {
      expect(() => parseCallbackUrl(url, policy), url).toThrow(CallbackRefusedError);
    }
  });

  it('refuses http unless loopback is allowed, port 0, and any URL over 2048 characters as escaped', () => {
    expect(() => parseCallbackUrl('http://example.com/', AWS)).toThrow(/must be an https URL/);
    expect(parseCallbackUrl('http://example.com/', LOCAL).protocol).toBe('http:');
    expect(() => parseCallbackUrl(`https://example.com/${'a'.repeat(2048)}`, AWS)).toThrow(/at most 2048/);
    expect(() => parseCallbackUrl(`https://example.com/${' '.repeat(1000)}x`, AWS)).toThrow(/at most 2048 characters once escaped/);
    expect(() => parseCallbackUrl('https://example.com:0/hook', AWS)).toThrow(/port 0/);
  });
});

describe('resolveDestination', () => {
  it('reads an address however it is written, and refuses the private ones', async () => {
    // The URL parser turns these into 127.0.0.1 and 10.0.0.1 before any check.
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://10.0.1/', 'http://[::ffff:7f00:1]/']) {
      await expect(resolveDestination(new URL(url), AWS, 5000), url).rejects.toThrow(CallbackRefusedError);
    }
    await expect(resolveDestination(new URL('http://2130706433/'), LOCAL, 5000)).resolves.toMatchObject({ address: '127.0.0.1', family: 4 });
  });

  it('resolves a name, and refuses one that points at loopback', async () => {
    await expect(resolveDestination(new URL('https://localhost/'), AWS, 5000)).rejects.toThrow(/may not reach/);
    await expect(resolveDestination(new URL('https://localhost/'), LOCAL, 5000)).resolves.toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) });
  });
});
