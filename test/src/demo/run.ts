/** `npm run demo`: plays the day against the running network's gateway and prints the narrative. */
import { playDay } from './day';

playDay().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nThe demo stopped: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
