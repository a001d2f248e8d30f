import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** Fabric CA puts certificate attributes, as JSON {"attrs":{...}}, in this X.509 extension. */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

// A minimal DER writer: just what an X.509 certificate needs.
function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: Buffer;
  if (len < 0x80) header = Buffer.from([tag, len]);
  else {
    const bytes: number[] = [];
    for (let n = len; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || bytes[0] >= 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(s, 'ascii'));
}
function name(rdns: [string, string][]): Buffer {
  return seq(...rdns.map(([o, v]) => set(seq(oid(o), utf8(v)))));
}

const OID = { cn: '2.5.4.3', ou: '2.5.4.11', o: '2.5.4.10', ecdsaSha256: '1.2.840.10045.4.3.2' };

let keyPair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
let serial = 1;

export interface CertificateSpec {
  mspId: string;
  enrollmentId: string;
  /** Certificate attributes such as role and residentId (hf.EnrollmentID is added). */
  attrs?: Record<string, string>;
  /** Organisational unit, as Fabric CA sets it from the identity type (client, peer, admin). */
  ou?: string;
}

/** A PEM X.509 certificate shaped like a Fabric CA enrolment certificate. */
export function enrolmentCertificate(spec: CertificateSpec): string {
  keyPair ??= generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const attrs = { 'hf.EnrollmentID': spec.enrollmentId, 'hf.Type': spec.ou ?? 'client', ...spec.attrs };
  const org = spec.mspId.replace(/MSP$/, '').toLowerCase();
  const algorithm = seq(oid(OID.ecdsaSha256));
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial++),
    algorithm,
    name([
      [OID.o, org],
      [OID.cn, `ca.${org}`],
    ]),
    seq(utcTime(new Date('2025-01-01T00:00:00Z')), utcTime(new Date('2035-01-01T00:00:00Z'))),
    name([
      [OID.ou, spec.ou ?? 'client'],
      [OID.cn, spec.enrollmentId],
    ]),
    keyPair.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(seq(oid(FABRIC_ATTRS_OID), octets(Buffer.from(JSON.stringify({ attrs }), 'utf8'))))),
  );
  const signature = createSign('SHA256').update(tbs).sign(keyPair.privateKey);
  const der = seq(tbs, algorithm, bits(signature));
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
