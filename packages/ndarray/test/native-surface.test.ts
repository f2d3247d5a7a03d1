// The addon's exports against the one interface that declares them (NativeAddon in src/native.ts): the
// interface is read from the source with the TypeScript parser, so it stays the only list of names.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { native } from '../src/native.js';

/** Dotted paths of every member: an object-typed member adds its own members below its name. */
function declaredPaths(file: string, interfaceName: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n)) interfaces.set(n.name.text, n);
  });
  const membersOf = (members: ts.NodeArray<ts.TypeElement>, prefix: string): string[] =>
    members.flatMap((m) => {
      if (!m.name || !(ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) throw new Error(`${file}: a member of ${prefix || interfaceName} has no plain name`);
      const path = prefix + m.name.text;
      if (!ts.isPropertySignature(m) || !m.type) return [path];
      if (ts.isTypeLiteralNode(m.type)) return membersOf(m.type.members, `${path}.`);
      const nested = ts.isTypeReferenceNode(m.type) && ts.isIdentifier(m.type.typeName) ? interfaces.get(m.type.typeName.text) : undefined;
      return nested ? membersOf(nested.members, `${path}.`) : [path];
    });
  const root = interfaces.get(interfaceName);
  if (!root) throw new Error(`${file} declares no interface ${interfaceName}`);
  return membersOf(root.members, '').sort();
}

/** Dotted paths of every export: a plain object adds its own keys below its name. */
function exportedPaths(value: object, prefix = ''): string[] {
  return Object.entries(value)
    .flatMap(([k, v]) => (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) ? exportedPaths(v, `${prefix}${k}.`) : [prefix + k]))
    .sort();
}

describe('the native surface', () => {
  it('NativeAddon declares exactly what the addon exports, sub-objects included', () => {
    const declared = declaredPaths(new URL('../src/native.ts', import.meta.url).pathname, 'NativeAddon');
    const exported = exportedPaths(native);
    expect(exported.length).toBeGreaterThan(50);
    expect({
      exportedButNotDeclared: exported.filter((p) => !declared.includes(p)),
      declaredButNotExported: declared.filter((p) => !exported.includes(p)),
    }).toEqual({ exportedButNotDeclared: [], declaredButNotExported: [] });
  });
});
