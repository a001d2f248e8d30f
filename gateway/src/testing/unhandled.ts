/**
 * Records the unhandled promise rejections from now until `stop()`. Outside Jest, Node ends the process
 * on one; a test of background work asserts there were none.
 */
export function recordUnhandledRejections(): { reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const record = (reason: unknown) => void reasons.push(reason);
  process.on('unhandledRejection', record);
  return { reasons, stop: () => void process.off('unhandledRejection', record) };
}
