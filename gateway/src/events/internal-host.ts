import { BlockList, isIP } from 'node:net';

/** Private, loopback, link-local, CGNAT and "this network" IPv4 ranges. */
const INTERNAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
];
/** Unspecified, loopback, link-local, (deprecated) site-local and unique local (ULA) IPv6 ranges. */
const INTERNAL_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fec0::', 10],
  ['fc00::', 7],
];

const internal = new BlockList();
for (const [net, prefix] of INTERNAL_V4) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of INTERNAL_V6) internal.addSubnet(net, prefix, 'ipv6');

/**
 * Literal hosts a webhook must not target. Only an IP literal is judged by its address: a name is
 * resolved at delivery (DNS rebinding needs a proxy), and judging names by their first letters refused
 * ordinary ones (`fdic-hooks.example.com` looked like an IPv6 ULA prefix).
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const version = isIP(h);
  if (version === 4) return internal.check(h, 'ipv4');
  if (version !== 6) return false;
  // URL parsing turns [::ffff:127.0.0.1] into ::ffff:7f00:1, which reaches 127.0.0.1: judged as that.
  const mapped = mappedIpv4(h);
  return mapped ? internal.check(mapped, 'ipv4') : internal.check(h, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d, however written); else undefined. */
export function mappedIpv4(ipv6: string): string | undefined {
  const groups = hextets(ipv6);
  if (!groups || groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 literal ('::' expanded, a dotted IPv4 tail as two groups). */
function hextets(ipv6: string): number[] | undefined {
  let text = ipv6.replace(/%.*$/, '');
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const head = split(halves[0]);
  const rest = halves.length === 2 ? split(halves[1]) : [];
  const zeros = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, zeros)).fill('0'), ...rest].map((g) =>
    parseInt(g, 16),
  );
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}
