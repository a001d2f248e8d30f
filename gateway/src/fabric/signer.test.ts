import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import { derS, newLowSSigner, P256_HALF_ORDER } from './signer';

describe('low-S P-256 signer', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const sign = newLowSSigner(pem);
  const pub = createPublicKey(privateKey);

  it('produces DER signatures that verify with SHA-256 and always have S in the lower half', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 512 }), async (msg) => {
        const sig = await sign(msg);
        expect(verify('sha256', msg, pub, sig)).toBe(true);
        expect(derS(sig) <= P256_HALF_ORDER).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses non-EC keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => newLowSSigner(rsa)).toThrow(/EC/);
  });
});
