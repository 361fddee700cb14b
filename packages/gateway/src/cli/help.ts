import { createRequire } from 'node:module';
import { USAGE } from '../config/load.js';
import { ExitCode } from './exit-codes.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The version of @agentwire/gateway, as `--version` prints it. */
export const VERSION: string = pkg.version;

export const HELP = `agentwire-gateway ${VERSION} — the agentwire WebSocket gateway

${USAGE}

Information:
  -h, --help       this help
  --version        the version

Exit codes:
  ${ExitCode.Ok}  stopped by SIGTERM/SIGINT after draining (or --help / --version)
  ${ExitCode.Failure}  unexpected error, or the drain on shutdown failed
  ${ExitCode.Usage}  invalid configuration or command line; nothing was started
  ${ExitCode.StartFailed}  could not start: port in use, binding refused, a needed package missing

Every setting, production profile, TLS, Redis and scaling out: docs/deploy.md
(https://github.com/agentwire/agentwire/blob/main/docs/deploy.md).`;

/**
 * `--help`/`-h` and `--version`, answered before any configuration is read (so they work without
 * a JWT key). Returns the text to print, or undefined when the command should start.
 */
export function infoRequested(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--help' || arg === '-h') return HELP;
    if (arg === '--version') return VERSION;
  }
  return undefined;
}
