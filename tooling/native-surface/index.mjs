// A native addon's exports against the one TS interface that declares them: each package that loads
// an addon keeps that interface as the only list of names, and its test compares the two with these.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * Dotted paths of every member of interface `interfaceName` in `file` (read with the TypeScript
 * parser); a member typed as an object literal or as another interface of the file adds its members.
 */
export function declaredPaths(file, interfaceName) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map();
  source.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n)) interfaces.set(n.name.text, n);
  });
  const membersOf = (members, prefix) =>
    members.flatMap((m) => {
      if (!m.name || !(ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) {
        throw new Error(`${file}: a member of ${prefix || interfaceName} has no plain name`);
      }
      const path = prefix + m.name.text;
      if (!ts.isPropertySignature(m) || !m.type) return [path];
      if (ts.isTypeLiteralNode(m.type)) return membersOf(m.type.members, `${path}.`);
      const nested =
        ts.isTypeReferenceNode(m.type) && ts.isIdentifier(m.type.typeName) ? interfaces.get(m.type.typeName.text) : undefined;
      return nested ? membersOf(nested.members, `${path}.`) : [path];
    });
  const root = interfaces.get(interfaceName);
  if (!root) throw new Error(`${file} declares no interface ${interfaceName}`);
  return membersOf(root.members, '').sort();
}

/** Dotted paths of every export of a loaded addon; a plain object adds its own keys below its name. */
export function exportedPaths(value, prefix = '') {
  return Object.entries(value)
    .flatMap(([k, v]) =>
      typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) ? exportedPaths(v, `${prefix}${k}.`) : [prefix + k],
    )
    .sort();
}

/** The names only one side has: both lists are empty when the interface and the addon agree. */
export function surfaceDifference(declared, exported) {
  return {
    exportedButNotDeclared: exported.filter((p) => !declared.includes(p)),
    declaredButNotExported: declared.filter((p) => !exported.includes(p)),
  };
}
