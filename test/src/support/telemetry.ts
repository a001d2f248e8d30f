/**
 * A vehicle's side of tamper-evident telemetry, built with the one Merkle module of CityLedger
 * (chaincode/common/src/merkle.ts, RFC 6962): readings over a time window, the window the vehicle anchors
 * (mobility `telemetry:AnchorWindow`), and the proof of one reading (`telemetry:VerifyReading`).
 */
import { randomBytes } from 'node:crypto';
import { readingProof, readingsRoot } from '@cityledger/chaincode-common/dist/merkle';

/** ISO 3779 characters (no I, O, Q). */
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

/** A random, valid 17-character VIN. */
export function randomVin(): string {
  return [...randomBytes(17)].map((b) => VIN_CHARS[b % VIN_CHARS.length]).join('');
}

export interface Reading {
  vin: string;
  timestamp: string;
  speedKmh: number;
  /** micro-degrees: integers keep the canonical JSON exact */
  latE6: number;
  lonE6: number;
  automation: boolean;
}

export interface Window {
  vin: string;
  seq: number;
  windowStart: string;
  windowEnd: string;
  count: number;
  root: string;
  windowRef?: string;
}

export interface SealedWindow {
  window: Window;
  readings: Reading[];
}

/** `count` readings evenly spread over [startMs, endMs), then the window over them (`seq` as given). */
export function sealWindow(
  vin: string,
  seq: number,
  startMs: number,
  endMs: number,
  count: number,
): SealedWindow {
  const step = Math.floor((endMs - startMs) / count);
  const readings: Reading[] = Array.from({ length: count }, (_, i) => ({
    vin,
    timestamp: new Date(startMs + i * step).toISOString(),
    speedKmh: 30 + ((seq * 7 + i * 3) % 50),
    latE6: 35_179_554 + seq * 100 + i,
    lonE6: 129_075_642 + seq * 100 + i,
    automation: i % 4 !== 3,
  }));
  return {
    readings,
    window: {
      vin,
      seq,
      windowStart: new Date(startMs).toISOString(),
      windowEnd: new Date(endMs).toISOString(),
      count,
      root: readingsRoot(readings),
      windowRef: `w-${vin}-${seq}`,
    },
  };
}

/** The `proof` parameter of telemetry:VerifyReading for readings[index] of a sealed window. */
export function proofOf(sealed: SealedWindow, index: number, reading: object = sealed.readings[index]) {
  return {
    vin: sealed.window.vin,
    seq: sealed.window.seq,
    index,
    reading,
    path: readingProof(sealed.readings, index),
  };
}
