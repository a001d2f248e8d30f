import { invalidArgument, isoToMs } from '@cityledger/chaincode-common';
import type { DataPeriod } from './model';

/** INVALID_ARGUMENT unless each given side is a real time and the window is not empty. */
export function checkDataPeriod(data: DataPeriod | undefined, field = 'dataPeriod'): void {
  const start = data?.start !== undefined ? isoToMs(data.start, `${field}.start`) : undefined;
  const end = data?.end !== undefined ? isoToMs(data.end, `${field}.end`) : undefined;
  if (start !== undefined && end !== undefined && end <= start)
    throw invalidArgument(`${field} must end after it starts`, { field });
}
