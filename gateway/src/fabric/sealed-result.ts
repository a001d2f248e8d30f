import { createDecipheriv, randomBytes } from 'node:crypto';
import { Problem } from '../problem';
import { toProblem } from './errors';
import type { ProposalSpec } from './port';

/**
 * A chaincode transaction declared `sealed` (chaincode-common sealed-result.ts) answers AES-256-GCM-sealed
 * under a key its caller sends in the transient map, so that a client who submits it puts no readable
 * result in a block. The gateway is that caller for its users: a fresh key per call, the answer opened
 * before anyone sees it.
 */
const RESULT_KEY = 'resultKey';

interface SealedResult {
  alg: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** The proposal with a fresh result key in its transient map, and how to open its answer. */
export function sealedCall(spec: ProposalSpec): { spec: ProposalSpec; open(answer: Uint8Array): Uint8Array } {
  const key = randomBytes(32);
  return {
    spec: { ...spec, transient: { ...spec.transient, [RESULT_KEY]: key } },
    open: (answer) => openSealedResult(key, answer),
  };
}

/**
 * The chaincode refused for want of a result key: its new version seals this transaction and the
 * gateway has not read the new metadata yet (an upgrade, until the refresh), so the call is worth
 * repeating sealed.
 */
export const wantsResultKey = (err: unknown): boolean =>
  toProblem(err).extra.details?.reason === 'RESULT_KEY_REQUIRED';

function openSealedResult(key: Uint8Array, answer: Uint8Array): Uint8Array {
  try {
    const sealed = JSON.parse(Buffer.from(answer).toString('utf8')) as SealedResult;
    if (sealed.alg !== 'A256GCM') throw new Error(`unknown algorithm ${String(sealed.alg)}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch (err) {
    // Only a chaincode that does not follow its own metadata gets here: the peer's answer is unusable.
    throw new Problem(
      502,
      'FABRIC_ERROR',
      `the chaincode's sealed answer could not be opened: ${(err as Error).message}`,
    );
  }
}
