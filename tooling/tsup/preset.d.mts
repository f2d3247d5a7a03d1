import type { Options } from 'tsup';

export function bktTsupConfig(entry?: string[]): Options;
