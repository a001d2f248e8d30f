import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { invalidArgument } from './errors';

/**
 * Sealed results: a transaction declared `sealed` answers its result encrypted under a key the caller
 * sends in the transient map. An evaluate's answer reaches only its caller, but a client may submit
 * any transaction, and a submitted result is stored in the block for every channel member to read,
 * for ever. Sealed, the block holds ciphertext whose key was never in it.
 *
 * Wire format, for clients of Fabric itself (the REST gateway seals and opens for its callers):
 * transient key `resultKey` = 32 random bytes, raw (not JSON), fresh per call; the answer is the JSON
 * SealedResult, AES-256-GCM of the result's canonical JSON, 128-bit tag.
 */
export const RESULT_KEY = 'resultKey';

const ALGORITHM = 'A256GCM';
const KEY_BYTES = 32;

export const SealedResultSchema = Type.Object(
  {
    alg: Type.Literal(ALGORITHM),
    iv: Type.String({ description: 'base64, 12 bytes' }),
    ciphertext: Type.String({ description: 'base64' }),
    tag: Type.String({ description: 'base64, 16 bytes' }),
  },
  { $id: 'SealedResult', additionalProperties: false },
);
export type SealedResult = Static<typeof SealedResultSchema>;

/** The caller's result key, refused before the transaction reads anything when absent or malformed. */
export function resultKeyOf(ctx: Context): Uint8Array {
  const key = ctx.stub.getTransient().get(RESULT_KEY);
  if (!key || key.length !== KEY_BYTES)
    throw invalidArgument(
      `this transaction answers sealed: send ${KEY_BYTES} random bytes in transient ${RESULT_KEY}`,
      {
        input: 'transient',
        field: `/${RESULT_KEY}`,
        reason: 'RESULT_KEY_REQUIRED',
      },
    );
  return key;
}

/**
 * The IV comes from the transaction id: every endorser of one proposal must return the same bytes
 * (or a submitted one is refused for mismatched endorsements), and a txId is never reused with a
 * different proposal, so one (key, IV) pair never seals two different answers of honest callers.
 */
export function sealResult(key: Uint8Array, txId: string, plaintext: Uint8Array): SealedResult {
  const iv = createHash('sha256').update(`cityledger/sealed-result/${txId}`).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    alg: ALGORITHM,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** The plaintext of a sealed result (throws when the key is wrong or the bytes were altered). */
export function openSealedResult(key: Uint8Array, sealed: SealedResult): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
}
