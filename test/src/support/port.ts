/**
 * A shipping agent's side of the port logistics chaincode, computed off-chain as
 * chaincode/logistics/README.md specifies and independently of the chaincode's code: IMO ship numbers and
 * ISO 6346 container numbers with their check digits, and FAL forms (1 general declaration, 2 cargo,
 * 5 crew list, 6 passenger list, 7 dangerous goods) of one ship, whose ledger hash is
 * `sha256hex(canonical(form))` (support/credentials).
 */
import { randomInt } from 'node:crypto';

/** IMO number: 'IMO' + six digits + check digit (digits weighted 7..2, summed, mod 10). */
export function imoNumber(first6: string): string {
  const sum = [...first6].reduce((acc, d, i) => acc + Number(d) * (7 - i), 0);
  return `IMO${first6}${sum % 10}`;
}

export const randomImo = (): string => imoNumber(String(randomInt(100000, 1000000)));

/** ISO 6346 letter values: A=10 upwards, skipping multiples of 11 (11, 22, 33). */
const letterValue = (letter: string): number => {
  let value = 9;
  for (let c = 'A'.charCodeAt(0); c <= letter.charCodeAt(0); c++) {
    value++;
    if (value % 11 === 0) value++;
  }
  return value;
};

/** ISO 6346 container number: owner code + category ('HMMU'), six-digit serial, check digit. */
export function containerNumber(ownerAndCategory: string, serial: number): string {
  const first10 = `${ownerAndCategory}${String(serial).padStart(6, '0')}`;
  const sum = [...first10].reduce(
    (acc, ch, i) => acc + (/[0-9]/.test(ch) ? Number(ch) : letterValue(ch)) * 2 ** i,
    0,
  );
  return `${first10}${(sum % 11) % 10}`;
}

export interface Ship {
  imo: string;
  vesselName: string;
}

export interface CargoItem {
  consignmentId: string;
  description: string;
  containers: string[];
  dangerous: boolean;
}

/** FAL 1: the ship's general declaration. */
export const generalDeclaration = (
  ship: Ship,
  arrival: string,
  counts: { crew: number; passengers: number; dangerousGoods: boolean },
) => ({
  imo: ship.imo,
  vesselName: ship.vesselName,
  callSign: 'D7AB',
  flagState: 'KR',
  portOfArrival: 'KRPUS',
  lastPortOfCall: 'CNSHA',
  arrival,
  masterName: 'Park Seo-jun',
  grossTonnage: 228283,
  crewCount: counts.crew,
  passengerCount: counts.passengers,
  dangerousGoodsOnBoard: counts.dangerousGoods,
  cargoBrief: 'containers',
});

/** FAL 2: the cargo declaration. */
export const cargoDeclaration = (ship: Ship, items: CargoItem[]) => ({
  imo: ship.imo,
  portOfLoading: 'CNSHA',
  portOfDischarge: 'KRPUS',
  items: items.map((item, i) => ({
    ...item,
    hsCode: '851712',
    packages: 10 * (i + 1),
    grossMassKg: 8000 + 1000 * i,
  })),
});

/** FAL 5: the crew list, `count` seafarers; `rank0` is the first one's rank (change it to amend the list). */
export const crewList = (ship: Ship, count: number, rank0 = 'Master') => ({
  imo: ship.imo,
  crew: Array.from({ length: count }, (_, i) => ({
    familyName: `Lee${i}`,
    givenNames: 'Min',
    rank: i === 0 ? rank0 : 'AB',
    nationality: 'KR',
    dateOfBirth: '1980-01-01',
    documentType: 'SEAMANS_BOOK',
    documentNumber: `SB${i}`,
  })),
});

/** FAL 6: the passenger list. */
export const passengerList = (ship: Ship, count: number) => ({
  imo: ship.imo,
  passengers: Array.from({ length: count }, (_, i) => ({
    familyName: `Choi${i}`,
    givenNames: 'Yuna',
    nationality: 'JP',
    dateOfBirth: '1990-02-02',
    portOfEmbarkation: 'CNSHA',
    portOfDisembarkation: 'KRPUS',
    transit: false,
    documentType: 'PASSPORT',
    documentNumber: `P${i}`,
  })),
});

/** FAL 7: the dangerous goods manifest (lithium batteries in `container`). */
export const dangerousGoodsManifest = (ship: Ship, container: string) => ({
  imo: ship.imo,
  items: [
    {
      unNumber: 'UN3480',
      properShippingName: 'Lithium ion batteries',
      hazardClass: '9',
      packingGroup: 'II',
      quantityKg: 8000,
      stowagePosition: '0120482',
      containerNumber: container,
    },
  ],
});
