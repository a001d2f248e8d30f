import { CommandError, run } from './exec';
import { redactArgs } from './redact';

describe('secrets on command lines', () => {
  it('are not in the message of a failed command', async () => {
    const err = await run('sh', [
      '-c',
      'echo "dialing https://admin:in-output@ca:7054" >&2; exit 3',
      'enroll',
      '-u',
      'https://admin:url-secret@127.0.0.1:7054',
      '--id.secret',
      'id-secret',
      '-b',
      'registrar:boot-secret',
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const { message, command } = err as CommandError;
    for (const text of [message, command])
      expect(text).not.toMatch(/url-secret|id-secret|boot-secret|in-output/);
    expect(message).toContain('https://admin:***@127.0.0.1:7054');
    expect(message).toContain('--id.secret ***');
    expect(message).toContain('-b registrar:***');
    expect(message).toContain('exit 3');
  });

  it('are hidden in option=value form too, and other arguments are kept', () => {
    expect(redactArgs(['--id.secret=s', '--boot=u:p', '--id.name', 'alice', 'http://host:80/x'])).toEqual([
      '--id.secret=***',
      '--boot=u:***',
      '--id.name',
      'alice',
      'http://host:80/x',
    ]);
  });
});
