import { loadPyodide } from 'pyodide';

/**
 * CPython 3.13's own parser, as the oracle of the Python tests: `pyodide` is CPython compiled to
 * WebAssembly and ships its standard library in the npm package, so `ast` runs with no Python
 * installed (the machine's python3 is 3.11, which cannot parse 3.12 syntax).
 */
export interface CensusImport {
  line: number;
  kind: 'import' | 'from';
  names: number;
  functionLevel: boolean;
  typeChecking: boolean;
  tryImportError: boolean;
}

export interface CensusFile {
  error: { line: number; column: number; message: string } | null;
  imports: CensusImport[];
}

const CENSUS = `
import ast, json, sys

def census(path):
    try:
        src = open(path, 'rb').read()
        tree = ast.parse(src)
    except SyntaxError as e:
        return {'error': {'line': e.lineno or 0, 'column': e.offset or 0, 'message': e.msg}, 'imports': []}
    except ValueError as e:
        return {'error': {'line': 0, 'column': 0, 'message': str(e)}, 'imports': []}
    out = []
    def catches_import_error(handlers):
        for h in handlers:
            if h.type is None:
                return True
            text = ast.unparse(h.type)
            if 'ImportError' in text or 'ModuleNotFoundError' in text or text.startswith(('Exception', 'BaseException')):
                return True
        return False
    def visit(node, fn, tc, tr):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == '__future__':
                return
            out.append({'line': node.lineno, 'kind': 'import' if isinstance(node, ast.Import) else 'from',
                        'names': len(node.names), 'functionLevel': fn, 'typeChecking': tc, 'tryImportError': tr})
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for c in ast.iter_child_nodes(node):
                visit(c, True, tc, tr)
            return
        if isinstance(node, ast.If) and ast.unparse(node.test) in ('TYPE_CHECKING', 'typing.TYPE_CHECKING', 't.TYPE_CHECKING'):
            for c in node.body:
                visit(c, fn, True, tr)
            for c in node.orelse:
                visit(c, fn, tc, tr)
            return
        if isinstance(node, (ast.Try, getattr(ast, 'TryStar', ast.Try))) and catches_import_error(node.handlers):
            for c in node.body + node.handlers:
                visit(c, fn, tc, True)
            for c in node.orelse + node.finalbody:
                visit(c, fn, tc, tr)
            return
        for c in ast.iter_child_nodes(node):
            visit(c, fn, tc, tr)
    visit(tree, False, False, False)
    return {'error': None, 'imports': out}

json.dumps({p: census(p) for p in json.loads(PATHS)})
`;

let py: Awaited<ReturnType<typeof loadPyodide>> | null = null;

/** CPython's verdict on each file (absolute paths below `root`). */
export async function cpythonCensus(
  root: string,
  files: string[],
): Promise<Map<string, CensusFile>> {
  if (!py) {
    py = await loadPyodide();
    py.FS.mkdir('/mnt');
  }
  py.FS.mount(py.FS.filesystems.NODEFS, { root }, '/mnt');
  try {
    const paths = files.map((f) => `/mnt/${f}`);
    py.globals.set('PATHS', JSON.stringify(paths));
    const result = JSON.parse(py.runPython(CENSUS) as string) as Record<string, CensusFile>;
    return new Map(Object.entries(result).map(([p, v]) => [p.slice('/mnt/'.length), v]));
  } finally {
    py.FS.unmount('/mnt');
  }
}

export function cpythonVersion(): string {
  return py ? (py.runPython('import sys; sys.version.split()[0]') as string) : '';
}
