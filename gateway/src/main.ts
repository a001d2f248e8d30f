#!/usr/bin/env node
import { checkFiles, ConfigError, loadConfig } from './config';
import { startGateway } from './gateway';

/** Entry point (`node gateway/dist/main.js`): validate config, start, print the URL, stop cleanly on signals. */
async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
    checkFiles(cfg);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cityledger gateway: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const gw = await startGateway(cfg);
  process.stdout.write(`CityLedger gateway listening on ${gw.url} (docs: ${gw.url}/docs, admin keys: ${cfg.adminKeysOut})\n`);
  const shutdown = (signal: string) => {
    process.stdout.write(`cityledger gateway: ${signal}, stopping\n`);
    gw.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // `deploy` signals an upgrade: the API follows the new metadata at once, and no request is refused.
  process.on('SIGHUP', () => {
    void gw.refreshApis().then(() => process.stdout.write('cityledger gateway: SIGHUP, chaincode APIs read again\n'));
  });
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`cityledger gateway failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
