import type { Project } from '../workspace/project.js';
import { rewritePython } from './python/rewrite.js';
import type { RewriteInput, RewriteOutput } from './types.js';
import { rewriteTypeScript } from './typescript.js';

/** The rewriter of a language: one file's edits, spelled the way that file spells its imports. */
export function rewriteFile(
  language: 'py' | 'ts',
  input: RewriteInput,
  project: Project,
): RewriteOutput {
  return language === 'py' ? rewritePython(input, project) : rewriteTypeScript(input, project);
}
