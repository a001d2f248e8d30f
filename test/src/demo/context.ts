/**
 * What the acts share: the gateway, the narrator, this run's id (every id of the story is unique per run,
 * so the demo plays again on the same ledger), and the people who appear in more than one act.
 */
import { randomUUID } from 'node:crypto';
import { Client, Gateway, Org, UserAttrs } from './client';
import { Narrator } from './narrator';

export interface Day {
  gateway: Gateway;
  narrator: Narrator;
  run: string;
  /** A unique id for this run: `<prefix>-<run>`. */
  id(prefix: string): string;
  /** A new enrolled identity of `org` with this run's suffix in its enrolment id. */
  enrol(org: Org, name: string, role: string, attrs?: UserAttrs): Promise<Client>;
  /** The City registrar (civil registry). */
  registrar: Client;
  /** The City police. */
  police: Client;
  /** The resident whose day it is (set by act 1). */
  resident?: { client: Client; residentId: string; name: string };
}

export async function newDay(gateway: Gateway, narrator: Narrator): Promise<Day> {
  const run = randomUUID().slice(0, 8);
  const enrol = async (org: Org, name: string, role: string, attrs?: UserAttrs) => {
    const user = await gateway.createUser(org, `${name}-${run}`, role, attrs);
    narrator.info(
      `${org} admin enrolled ${user.key} (role ${role}${
        attrs && Object.keys(attrs).length
          ? `, ${Object.entries(attrs)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`
          : ''
      }) and issued its API key`,
    );
    return user;
  };
  const day: Partial<Day> = { gateway, narrator, run, id: (prefix) => `${prefix}-${run}`, enrol };
  day.registrar = await enrol('city', 'registrar', 'registrar');
  day.police = await enrol('city', 'police', 'police');
  return day as Day;
}
