/**
 * Check digits of the identifiers the port lives by. Schemas check the shape; these catch typos
 * (a mistyped container number would otherwise create a container nobody can find).
 */

/** IMO ship number 'IMO' + 7 digits: the first six weighted 7..2, summed, mod 10 = the seventh. */
export function isValidImo(imo: string): boolean {
  const m = /^IMO([0-9]{7})$/.exec(imo);
  if (!m) return false;
  const digits = m[1].split('').map(Number);
  const sum = digits.slice(0, 6).reduce((acc, d, i) => acc + d * (7 - i), 0);
  return sum % 10 === digits[6];
}

/** ISO 6346 letter values: A=10 upwards, skipping multiples of 11. */
function letterValue(letter: string): number {
  let value = 10;
  for (let c = 'A'.charCodeAt(0); c < letter.charCodeAt(0); c++) {
    value++;
    if (value % 11 === 0) value++;
  }
  return value;
}

/** The ISO 6346 check digit of the first ten characters (owner code, category, serial). */
export function containerCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const ch = first10[i];
    const value = ch >= '0' && ch <= '9' ? Number(ch) : letterValue(ch);
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

/** A full ISO 6346 container number: 3-letter owner, category U/J/Z, 6-digit serial, check digit. */
export function isValidContainerNumber(value: string): boolean {
  if (!/^[A-Z]{3}[UJZ][0-9]{7}$/.test(value)) return false;
  return containerCheckDigit(value.slice(0, 10)) === Number(value[10]);
}
