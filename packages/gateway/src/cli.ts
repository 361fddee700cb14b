#!/usr/bin/env node
import { printDevCredentials, runFromConfig } from './run.js';

const { config, url } = await runFromConfig(process.argv.slice(2));
printDevCredentials(config, url);
