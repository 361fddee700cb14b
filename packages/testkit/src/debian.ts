import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../scripts/ensure-debian.sh', import.meta.url));

/**
 * Makes sure a program from a Debian package is installed (scripts/ensure-debian.sh installs it
 * when missing and we are root, as on a fresh CI machine). Returns false when it is there, or a
 * message saying why it is not.
 */
export function ensureDebian(executable: string, packages: readonly string[]): false | string {
  const result = spawnSync('bash', [script, executable, ...packages], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 600_000,
  });
  if (result.status === 0 && existsSync(executable)) return false;
  return `${executable} is not installed and could not be installed (Debian package ${packages.join(', ')}; not root?)`;
}
