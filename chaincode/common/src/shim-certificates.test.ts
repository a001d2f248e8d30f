import { CertificateClass, memoiseShimCertificateParsing, shimCertificateClass } from './shim-certificates';
import { enrolmentCertificate } from './testing/cert';

interface Parsed {
  subject: { commonName: string };
}

describe('memoiseShimCertificateParsing', () => {
  const pem = (cn: string) => enrolmentCertificate({ mspId: 'CityMSP', enrollmentId: cn });

  it('parses a certificate once and gives the same reading for the same PEM text', () => {
    memoiseShimCertificateParsing();
    memoiseShimCertificateParsing(); // idempotent
    const Certificate = shimCertificateClass();
    const alice = pem('alice');
    const first = Certificate.fromPEM(alice) as Parsed;
    expect(first.subject.commonName).toBe('alice');
    expect(Certificate.fromPEM(alice)).toBe(first);
    const bob = Certificate.fromPEM(pem('bob')) as Parsed;
    expect(bob.subject.commonName).toBe('bob');
    // A Buffer is parsed as before, every time.
    expect(Certificate.fromPEM(Buffer.from(alice))).not.toBe(first);
  });

  it('keeps only the certificates used last', () => {
    let parses = 0;
    const Certificate: CertificateClass = { fromPEM: (data) => ({ data, parse: ++parses }) };
    memoiseShimCertificateParsing(2, Certificate);
    const a = Certificate.fromPEM('a');
    const b = Certificate.fromPEM('b');
    expect(Certificate.fromPEM('a')).toBe(a); // a is now the most recent
    Certificate.fromPEM('c'); // evicts b, the least recently used
    expect(Certificate.fromPEM('a')).toBe(a);
    expect(Certificate.fromPEM('b')).not.toBe(b);
    expect(parses).toBe(4); // a, b, c, and b again
  });
});
