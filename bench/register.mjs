// Runs the TypeScript sources directly: `node --import ./bench/register.mjs bench/run.ts`.
// The hooks (./ts-hooks.mjs) resolve the @atrium/* aliases and compile .ts with @swc/core, as vitest does.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
