// A new user's path, from the packed tarballs: every public package is packed as npm would publish
// it, installed into a scratch project outside the workspace (from the npm registry, nothing
// linked), and the README's snippets run there as written. The README cannot drift from what works.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDebian, freePort } from '@agentwire/testkit';
import { codeBlocks, readDoc, replaceAllOrFail, repoRoot, section } from '../helpers/markdown.js';

const PUBLIC = ['protocol', 'gateway', 'client', 'ssot'] as const;
const scratch = mkdtempSync(join(tmpdir(), 'agentwire-first-run-'));
const readme = readDoc('README.md');
const license = readFileSync(`${repoRoot}LICENSE`, 'utf8');

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}
let packed: Packed[] = [];
const children: ChildProcess[] = [];

function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? scratch,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    env: { ...process.env, NODE_ENV: 'development', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return result;
}

function ok(result: ReturnType<typeof run>, what: string): string {
  assert.equal(
    result.status,
    0,
    `${what} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
  );
  return result.stdout;
}

before(
  () => {
    const pack = run(
      'npm',
      [
        'pack',
        '--json',
        '--pack-destination',
        scratch,
        ...PUBLIC.flatMap((p) => ['-w', `packages/${p}`]),
      ],
      { cwd: repoRoot },
    );
    packed = JSON.parse(ok(pack, 'npm pack')) as Packed[];
    // A new project as `npm init -y` makes it (npm 11: "type": "commonjs").
    ok(run('npm', ['init', '-y']), 'npm init');
    // What the README tells a user to install, from the tarballs instead of the registry.
    const install = run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...packed.map((p) => `./${p.filename}`),
        'jose@6.2.17',
      ],
      { timeout: 300_000 },
    );
    ok(install, 'npm install of the tarballs');
  },
  // Packing and a registry install, longer than the suite's per-test default; each step is bounded too.
  { timeout: 420_000 },
);

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

test('every public package ships its LICENSE, metadata, exact internal versions and the sources its maps name', () => {
  assert.deepEqual(packed.map((p) => p.name).sort(), PUBLIC.map((p) => `@agentwire/${p}`).sort());
  for (const { name, files } of packed) {
    const dir = join(scratch, 'node_modules', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    assert.equal(manifest.license, 'MIT', name);
    assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), license, `${name}: LICENSE`);
    assert.match(manifest.repository?.url ?? '', /^git\+https:\/\//, `${name}: repository`);
    assert.equal(manifest.repository?.directory, `packages/${name.split('/')[1]}`);
    assert.ok(manifest.engines?.node, `${name}: engines.node`);
    for (const [dep, range] of Object.entries({
      ...manifest.dependencies,
      ...manifest.peerDependencies,
    })) {
      if (dep.startsWith('@agentwire/'))
        assert.equal(range, manifest.version, `${name} → ${dep}: exact version`);
    }
    const paths = new Set(files.map((f) => f.path));
    const maps = [...paths].filter((p) => p.endsWith('.map'));
    assert.ok(maps.length > 0, `${name}: source maps`);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = join(map, '..', source);
        assert.ok(
          paths.has(target),
          `${name}: ${map} names ${source}, which is not in the package`,
        );
      }
    }
  }
});

test('ioredis is an optional peer: not installed, the memory engine runs, the Redis engine names the package to install', async () => {
  assert.equal(existsSync(join(scratch, 'node_modules', 'ioredis')), false);
  const probe = run(process.execPath, [
    '--input-type=module',
    '-e',
    `import { RedisEngine } from '@agentwire/gateway';
     try { new RedisEngine({ url: 'redis://127.0.0.1:1', history: { maxEvents: 1, maxAgeMs: 1000 } }); }
     catch (error) { console.log(error.code, error.message); }`,
  ]);
  assert.match(
    ok(probe, 'RedisEngine probe'),
    /^AGENTWIRE_ERR_MISSING_PEER .*"ioredis".*npm install ioredis/,
  );
  const cli = run(
    'npx',
    ['--no-install', 'agentwire-gateway', '--profile', 'demo', '--engine', 'redis', '--port', '0'],
    {
      env: { AGENTWIRE_REDIS_URL: 'redis://127.0.0.1:1' },
    },
  );
  assert.equal(cli.status, 3, cli.stderr);
  assert.match(cli.stderr, /^agentwire: .*npm install ioredis\n$/);
});

test("the README's three blocks, as one first-run.mts: gateway in process, a client connected first, a run folded to completed", async () => {
  const blocks = codeBlocks(section(readme, '## Add it to your app'), 'ts');
  assert.equal(blocks.length, 3, 'backend, client, publish');
  const port = await freePort();
  let program = blocks.join('\n');
  program = replaceAllOrFail(program, 'listen(8080)', `listen(${port})`);
  program = replaceAllOrFail(program, 'localhost:8080', `127.0.0.1:${port}`);
  program += `
// ---- appended by the test: wait for the fold, report it, stop
const deadline = Date.now() + 15_000;
while (runs.get(run.runId)?.status !== 'completed') {
  if (Date.now() > deadline) throw new Error('the run did not reach completed: ' + JSON.stringify(runs.all()));
  await new Promise((r) => setTimeout(r, 20));
}
console.log('RESULT ' + JSON.stringify(runs.get(run.runId)));
client.close();
await gateway.close();
`;
  writeFileSync(join(scratch, 'first-run.mts'), program);
  // Type-check against the installed packages' declarations, then run it as the README says
  // (`npx tsx first-run.mts`; the workspace's tsx, so nothing more is downloaded).
  const tsc = run(process.execPath, [
    join(repoRoot, 'node_modules/typescript/bin/tsc'),
    '--strict',
    '--skipLibCheck',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--typeRoots',
    join(repoRoot, 'node_modules/@types'),
    '--types',
    'node',
    '--noEmit',
    'first-run.mts',
  ]);
  ok(tsc, 'tsc first-run.mts');
  const secret = randomBytes(32).toString('base64');
  const tsx = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
  const result = run(process.execPath, [tsx, 'first-run.mts'], {
    env: { AGENTWIRE_JWT_SECRET: secret },
    timeout: 30_000,
  });
  const stdout = ok(result, 'tsx first-run.mts');
  assert.match(stdout, /alice asked \{ text: 'What is 17 \* 23\?' \}/);
  assert.match(stdout, /ack: \{ accepted: true \}/);
  const folded = JSON.parse(stdout.split('RESULT ')[1]?.split('\n')[0] ?? 'null');
  assert.equal(folded.status, 'completed');
  assert.equal(folded.text, 'Costs rose 4 %.');
  assert.equal(folded.agent, 'planner');
  assert.equal(folded.toolCalls?.[0]?.durationMs, 840);
});

test("the README's curl publish works with the variables the demo profile prints", async () => {
  const unavailable = ensureDebian('/usr/bin/curl', ['curl']);
  if (unavailable && process.env.CI) throw new Error(unavailable);
  if (unavailable) return;
  const port = await freePort();
  // The installed bin itself (not through npx), so SIGTERM reaches the gateway.
  const gateway = spawn(
    join(scratch, 'node_modules/.bin/agentwire-gateway'),
    ['--profile', 'demo', '--port', String(port)],
    {
      cwd: scratch,
      env: { ...process.env, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(gateway);
  let printed = '';
  gateway.stdout?.on('data', (chunk: Buffer) => (printed += chunk));
  const deadline = Date.now() + 20_000;
  while (!/AGENTWIRE_API_KEYS=\S+\n/.test(printed)) {
    assert.ok(Date.now() < deadline, `no credentials printed:\n${printed}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The README tells the user to export exactly the NAME=value pairs the command prints.
  const env: Record<string, string> = {};
  for (const [, name, value] of printed.matchAll(/(AGENTWIRE_[A-Z_]+)=(\S+)/g))
    env[name as string] = value as string;
  assert.ok(env.AGENTWIRE_JWT_SECRET && env.AGENTWIRE_API_KEYS, printed);
  const [curl] = codeBlocks(section(readme, '## Publish from your backend'), 'sh');
  assert.ok(curl);
  const script = replaceAllOrFail(curl, 'localhost:8080', `127.0.0.1:${port}`);
  const result = run(
    'bash',
    ['-c', `set -e; curl -sS --fail-with-body ${script.replace(/^curl /, '')}`],
    { env },
  );
  const body = JSON.parse(ok(result, 'curl'));
  assert.equal(body.seq, 1);
  assert.match(body.id, /^evt_/);
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  assert.equal(gateway.exitCode, 0);
});

test('the command-line tools answer --help and --version from the install', () => {
  const ssot = ok(run('npx', ['--no-install', 'ssot', '--help']), 'npx ssot --help');
  assert.match(ssot, /ssot audit/);
  const help = ok(
    run('npx', ['--no-install', 'agentwire-gateway', '--help']),
    'agentwire-gateway --help',
  );
  assert.match(help, /Exit codes:/);
  const version = ok(run('npx', ['--no-install', 'agentwire-gateway', '--version']), '--version');
  assert.equal(
    version.trim(),
    JSON.parse(readFileSync(`${repoRoot}packages/gateway/package.json`, 'utf8')).version,
  );
});
