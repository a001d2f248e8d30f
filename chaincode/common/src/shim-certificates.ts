import { createRequire } from 'node:module';

const MEMOISED = Symbol.for('cityledger.certificate-parse-memo');

export interface CertificateClass {
  fromPEM(data: string | Buffer): unknown;
  [MEMOISED]?: true;
}

/** The @fidm/x509 that fabric-shim loads, wherever a package manager put it. */
export const shimCertificateClass = (): CertificateClass =>
  (
    createRequire(require.resolve('fabric-shim/package.json'))('@fidm/x509') as {
      Certificate: CertificateClass;
    }
  ).Certificate;

/**
 * fabric-shim builds a ClientIdentity for every transaction, and with it parses the creator's
 * certificate from PEM with @fidm/x509 (ASN.1 in JavaScript): 13 % of the identity chaincode's CPU
 * under the benchmark's no-op and issuance load. A client signs every transaction with the same
 * certificate, so the parse is kept by PEM text, for the `max` certificates used last. The shim only
 * reads the parsed certificate (subject, issuer, extensions) and keeps none of it. Idempotent.
 */
export function memoiseShimCertificateParsing(
  max = 1024,
  Certificate: CertificateClass = shimCertificateClass(),
): void {
  if (Certificate[MEMOISED]) return;
  const parse = Certificate.fromPEM.bind(Certificate);
  const parsed = new Map<string, unknown>();
  Certificate.fromPEM = (data: string | Buffer): unknown => {
    if (typeof data !== 'string') return parse(data);
    let certificate = parsed.get(data);
    if (certificate !== undefined) {
      parsed.delete(data); // re-inserted below: a Map iterates oldest first, so the first key is the least recently used
    } else {
      certificate = parse(data);
      if (parsed.size >= max) parsed.delete(parsed.keys().next().value!);
    }
    parsed.set(data, certificate);
    return certificate;
  };
  Certificate[MEMOISED] = true;
}
