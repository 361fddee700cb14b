// jscodeshift transform for the `ssot migrate` benchmark: the same specifier rewrite as the
// benchmark's rules — `@synth/core` → `@synth/kit`, `@core/…` → `@kit/…` — in import, export … from,
// require() and import().
function rewrite(value) {
  if (value === '@synth/core') return '@synth/kit';
  if (value.startsWith('@core/')) return `@kit/${value.slice('@core/'.length)}`;
  return null;
}

module.exports = function transform(file, api) {
  const j = api.jscodeshift;
  const root = j(file.source);
  let changed = false;
  const visit = (literal) => {
    if (!literal || typeof literal.value !== 'string') return;
    const next = rewrite(literal.value);
    if (next !== null) {
      literal.value = next;
      changed = true;
    }
  };
  for (const type of [j.ImportDeclaration, j.ExportNamedDeclaration, j.ExportAllDeclaration]) {
    root.find(type).forEach((p) => {
      visit(p.node.source);
    });
  }
  root.find(j.CallExpression).forEach((p) => {
    const callee = p.node.callee;
    const isRequire = callee.type === 'Identifier' && callee.name === 'require';
    if (isRequire || callee.type === 'Import') visit(p.node.arguments[0]);
  });
  return changed ? root.toSource({ quote: 'single' }) : undefined;
};

module.exports.parser = 'ts';
