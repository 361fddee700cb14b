import type { Scope } from './scope.js';

/**
 * Names that are per module by convention: one in every script, test file or app is how the
 * language or framework wants it, not a concept implemented twice. The classifier says which
 * convention and why (the evidence it saw), so a reader can disagree with it.
 */
export type ConventionKind =
  | 'entry-point'
  | 'logger'
  | 'module-metadata'
  | 'test-hook'
  | 'fixture'
  | 'framework-object'
  | 'test-double'
  | 'per-module';

export interface Convention {
  kind: ConventionKind;
  /** Why: the evidence, in one sentence. */
  reason: string;
}

const LOGGER = /^_?(logger|log|LOGGER|LOG|_logger|_log)$/;
const DUNDER = /^__\w+__$/;
const ENTRY = /^(main|cli|run|entrypoint|entry_point|run_main|handler|lambda_handler)$/;
const TEST_HOOK =
  /^(pytest_\w+|setUp|tearDown|setUpClass|tearDownClass|setUpModule|tearDownModule|setup_module|teardown_module|setup_function|teardown_function|load_tests|beforeAll|afterAll|beforeEach|afterEach)$/;
const FRAMEWORK =
  /^(app|application|router|api|bp|blueprint|celery|celery_app|urlpatterns|db|server|handler|routes|config|settings|default_app_config)$/;
const DOUBLE = /^(Mock|Fake|Stub|Dummy|Spy|Test)[A-Z_]\w*$|^\w+(Mock|Fake|Stub|Double)$/;

/** Names every module may have its own of (loggers, `__version__`): never counted as own code. */
export function perModuleName(name: string): boolean {
  return LOGGER.test(name) || DUNDER.test(name);
}

export interface BindingFacts {
  kind: 'class' | 'function' | 'alias';
  scope: Scope;
  file: string;
}

/**
 * Whether one name bound in many modules is a per-module convention. `importedFrom`: how many of
 * its modules another module imports the name from.
 */
export function classifyConvention(
  name: string,
  bindings: BindingFacts[],
  implementations: number,
  importedFrom: number,
): Convention | null {
  const n = bindings.length;
  const inTests = bindings.filter((b) => b.scope === 'test' || b.scope === 'fixture').length;
  const inScripts = bindings.filter((b) => b.scope === 'script').length;
  const conftest = bindings.filter((b) => /(^|\/)conftest\.py$/.test(b.file)).length;
  const rarelyImported = importedFrom <= Math.max(1, Math.floor(n * 0.1));
  const each = implementations >= n - 1 ? 'each its own' : `${implementations} implementations`;
  const evidence = `bound in ${n} modules (${each}), imported from ${importedFrom} of them`;
  if (LOGGER.test(name)) return { kind: 'logger', reason: `a module logger: ${evidence}` };
  if (DUNDER.test(name)) return { kind: 'module-metadata', reason: `module metadata: ${evidence}` };
  if (TEST_HOOK.test(name) && (inTests >= n / 2 || conftest > 0))
    return {
      kind: 'test-hook',
      reason: `a test framework hook, defined in ${inTests} test/fixture modules: ${evidence}`,
    };
  if (DOUBLE.test(name) && inTests >= n / 2)
    return { kind: 'test-double', reason: `a test double in ${inTests} test modules: ${evidence}` };
  if (inTests === n && rarelyImported && bindings.every((b) => b.kind === 'function'))
    return {
      kind: 'fixture',
      reason: `a test helper or fixture defined only in tests: ${evidence}`,
    };
  // Entry points are imported now and then (by their tests, a launcher) and still per module.
  const entryImports = importedFrom <= Math.max(3, Math.floor(n / 2));
  if (ENTRY.test(name) && entryImports && bindings.every((b) => b.kind !== 'class'))
    return {
      kind: 'entry-point',
      reason: `an entry point (${inScripts} in scripts): ${evidence}`,
    };
  if (FRAMEWORK.test(name) && rarelyImported)
    return {
      kind: 'framework-object',
      reason: `a framework object per app or module: ${evidence}`,
    };
  // The general rule: many modules, each its own, and (almost) nobody imports it by name.
  if (n >= 5 && implementations >= n * 0.8 && rarelyImported)
    return { kind: 'per-module', reason: `a per-module name: ${evidence}` };
  return null;
}
