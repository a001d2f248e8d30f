/**
 * A day in the smart city (the seed's story, issue 9), played end to end through the REST gateway only:
 * identity, morning, commute, work, port, commute, work, port. `playDay` returns each act's outcome for the end-to-end test.
 */
import { Gateway } from './client';
import { commuteAct, CommuteOutcome } from './commute';
import { newDay } from './context';
import { identityAct, IdentityOutcome } from './identity';
import { morningAct, MorningOutcome } from './morning';
import { Narrator, Out } from './narrator';
import { portAct, PortOutcome } from './port';
import { workAct, WorkOutcome } from './work';

export interface DayOutcome {
  run: string;
  identity: IdentityOutcome;
  morning: MorningOutcome;
  commute: CommuteOutcome;
  work: WorkOutcome;
  port: PortOutcome;
  transactions: number;
}

export type ActName = 'identity' | 'morning' | 'commute' | 'work' | 'port';

export async function playDay(options: { gateway?: Gateway; out?: Out } = {}): Promise<DayOutcome> {
  const gateway = options.gateway ?? new Gateway();
  const narrator = new Narrator(options.out);
  if (!(await gateway.ready()))
    throw new Error(`the gateway at ${gateway.baseUrl} is not ready (is the network up?)`);
  narrator.title(`A day in the smart city — through the CityLedger REST gateway at ${gateway.baseUrl}`);
  const day = await newDay(gateway, narrator);
  narrator.info(`run ${day.run}: every id below is new, so the day plays again on the same ledger`);
  const identity = await identityAct(day);
  const morning = await morningAct(day);
  const commute = await commuteAct(day);
  const work = await workAct(day);
  const port = await portAct(day);
  narrator.title(
    `The day is over: ${narrator.transactions.length} transactions committed in ${narrator.elapsed()}`,
  );
  return { run: day.run, identity, morning, commute, work, port, transactions: narrator.transactions.length };
}
