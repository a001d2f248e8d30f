/**
 * Secrets travel on command lines: fabric-ca-server's `-b registrar:<secret>`, fabric-ca-client's
 * `--id.secret <secret>` and enrolment URLs `https://<id>:<secret>@host`. Whatever we print or store
 * (error messages, pid records) goes through here first.
 */
const HIDDEN = '***';

/** Options whose value is a secret, or `user:secret` (only the part after the colon is hidden). */
const SECRET_OPTIONS = new Set(['-b', '--boot', '--id.secret']);

/** `//user:secret@` in a URL → `//user:***@`. */
export function redactText(text: string): string {
  return text.replace(/(\/\/[^\s/:@]*):[^\s/@]*@/g, `$1:${HIDDEN}@`);
}

const hideValue = (value: string) => {
  const colon = value.indexOf(':');
  return colon > 0 ? `${value.slice(0, colon)}:${HIDDEN}` : HIDDEN;
};

export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq > 0 && SECRET_OPTIONS.has(arg.slice(0, eq)))
      return `${arg.slice(0, eq)}=${hideValue(arg.slice(eq + 1))}`;
    if (i > 0 && SECRET_OPTIONS.has(args[i - 1])) return hideValue(arg);
    return redactText(arg);
  });
}

/** A command line fit for a message: `cmd arg…` with every secret hidden. */
export const redactedCommand = (cmd: string, args: readonly string[]) => [cmd, ...redactArgs(args)].join(' ');
