import type { UserConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

export function bktVitestConfig(overrides?: InlineConfig): UserConfig;
