import { invalidArgument } from '@cityledger/chaincode-common';

/**
 * The observation codes this chaincode accepts (LOINC), each with its one UCUM unit and a plausible
 * range. A fixed catalogue keeps consent scopes meaningful (a scope names codes from here) and lets
 * the chaincode refuse garbage before it reaches the private collection.
 */
export interface CodeInfo {
  code: string;
  display: string;
  /** UCUM unit code (http://unitsofmeasure.org). */
  unit: string;
  min: number;
  max: number;
}

export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

export const BODY_WEIGHT = '29463-7';
export const BMI = '39156-5';
export const BODY_FAT_PERCENT = '41982-0';

const CATALOGUE: readonly CodeInfo[] = [
  { code: BODY_WEIGHT, display: 'Body weight', unit: 'kg', min: 0.2, max: 700 },
  { code: BMI, display: 'Body mass index (BMI) [Ratio]', unit: 'kg/m2', min: 5, max: 200 },
  { code: BODY_FAT_PERCENT, display: 'Percentage of body fat Measured', unit: '%', min: 1, max: 80 },
  { code: '8302-2', display: 'Body height', unit: 'cm', min: 20, max: 300 },
  {
    code: '8280-0',
    display: 'Waist Circumference at umbilicus by Tape measure',
    unit: 'cm',
    min: 20,
    max: 300,
  },
  { code: '8867-4', display: 'Heart rate', unit: '/min', min: 10, max: 350 },
  { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', min: 30, max: 300 },
  { code: '8462-4', display: 'Diastolic blood pressure', unit: 'mm[Hg]', min: 10, max: 250 },
  {
    code: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    unit: '%',
    min: 30,
    max: 100,
  },
  { code: '2339-0', display: 'Glucose [Mass/volume] in Blood', unit: 'mg/dL', min: 5, max: 2000 },
];

const BY_CODE = new Map(CATALOGUE.map((c) => [c.code, c]));

export function knownCodes(): string[] {
  return CATALOGUE.map((c) => c.code);
}

export function codeInfo(code: string): CodeInfo | undefined {
  return BY_CODE.get(code);
}

/** Decimal places a value may carry: values are scaled to integers for rule arithmetic. */
export const MAX_DECIMALS = 3;

/** INVALID_ARGUMENT unless every code is in the catalogue (`field` names the input for the error). */
export function assertKnownCodes(codes: readonly string[], field: string): void {
  const unknown = codes.filter((c) => !BY_CODE.has(c));
  if (unknown.length > 0)
    throw invalidArgument(`unknown observation code(s): ${unknown.join(', ')}`, {
      field,
      unknown,
      known: knownCodes(),
    });
}

/** INVALID_ARGUMENT unless the value suits the code: catalogue code, its unit, its range, ≤ 3 decimals. */
export function assertMeasurement(code: string, value: number, unit: string, index: number): CodeInfo {
  const info = BY_CODE.get(code);
  const field = `/items/${index}`;
  if (!info)
    throw invalidArgument(`unknown observation code ${code}`, {
      field: `${field}/code`,
      unknown: [code],
      known: knownCodes(),
    });
  if (unit !== info.unit)
    throw invalidArgument(`${code} is measured in ${info.unit}, not ${unit}`, {
      field: `${field}/unit`,
      expected: info.unit,
    });
  if (value < info.min || value > info.max) {
    throw invalidArgument(`${code} value out of range`, {
      field: `${field}/value`,
      min: info.min,
      max: info.max,
    });
  }
  if (Math.abs(scaled(value) - value * 10 ** MAX_DECIMALS) > 1e-6) {
    throw invalidArgument(`${code} value has more than ${MAX_DECIMALS} decimals`, {
      field: `${field}/value`,
    });
  }
  return info;
}

/** The value as an integer number of thousandths (exact for values with ≤ 3 decimals). */
export function scaled(value: number): number {
  return Math.round(value * 10 ** MAX_DECIMALS);
}
