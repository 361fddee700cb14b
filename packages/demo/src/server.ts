#!/usr/bin/env node
// The demo server behind `npm start`: the gateway in its demo profile (memory engine, generated
// dev credentials, refused when NODE_ENV=production) plus the demo page, sign-in and agent.
import { type Gateway, printDevCredentials, runFromConfig } from '@agentwire/gateway';
import { demoOptions } from './app.js';
import { buildPage } from './page-bundle.js';

const argv = process.argv.slice(2);
if (!argv.some((a) => a === '--profile' || a.startsWith('--profile='))) {
  argv.unshift('--profile', 'demo');
}
const assets = await buildPage();
let gateway: Gateway | undefined;
const getGateway = (): Gateway => {
  if (!gateway) throw new Error('the gateway is not listening yet');
  return gateway;
};
const started = await runFromConfig(argv, (config) => demoOptions(config, getGateway, assets));
gateway = started.gateway;
printDevCredentials(started.config, started.url);
process.stdout.write(
  started.config.devCredentials
    ? `agentwire demo: open ${started.url}/ and chat with the simulated agent (sign in as alice or bob)\n`
    : `agentwire demo: ${started.url}/ (no demo sign-in outside the demo profile)\n`,
);
