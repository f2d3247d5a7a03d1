export function declaredPaths(file: string, interfaceName: string): string[];
export function exportedPaths(value: object, prefix?: string): string[];
export function surfaceDifference(
  declared: readonly string[],
  exported: readonly string[],
): { exportedButNotDeclared: string[]; declaredButNotExported: string[] };
