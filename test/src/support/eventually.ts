/**
 * Waiting for every peer to have committed what one peer already has. A submit returns once the block is
 * committed on the peer the client is connected to; another org's peer may commit it a moment later. A
 * chaincode that checks state at endorsement on several peers (e.g. the medical chaincode asking the
 * identity chaincode across channels) needs all of them to agree first.
 */

/** Polls `read(org)` on each org until `done` holds for all of them; throws with the last answers after `timeoutMs`. */
export async function untilEveryOrg<T>(
  orgs: readonly string[],
  read: (org: string) => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(orgs);
  const last = new Map<string, unknown>();
  while (pending.size > 0) {
    for (const org of [...pending]) {
      try {
        const value = await read(org);
        last.set(org, value);
        if (done(value)) pending.delete(org);
      } catch (err) {
        last.set(org, (err as Error).message);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const answers = [...pending].map((o) => `${o}: ${JSON.stringify(last.get(o))}`).join('; ');
      throw new Error(`not seen on every peer within ${timeoutMs} ms: ${answers}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits on the local clock until it is past `iso` by `marginMs` (transaction times come from this clock). */
export async function untilPast(iso: string, marginMs = 200): Promise<void> {
  const target = Date.parse(iso) + marginMs;
  while (Date.now() < target) await new Promise((r) => setTimeout(r, Math.min(250, target - Date.now())));
}
