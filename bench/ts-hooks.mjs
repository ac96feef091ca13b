// Module hooks for running the repository's TypeScript under plain node (bench only): tsconfig `paths`
// aliases, `.js` specifiers that name `.ts` sources, and an @swc/core transform with decorator metadata.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from '@swc/core';

const root = resolvePath(dirname(fileURLToPath(import.meta.url)), '..');
const tsconfig = JSON.parse(readFileSync(resolvePath(root, 'tsconfig.json'), 'utf8'));
const paths = Object.entries(tsconfig.compilerOptions.paths ?? {}).map(([pattern, [target]]) => ({
  prefix: pattern.replace(/\*$/, ''),
  wildcard: pattern.endsWith('*'),
  target: resolvePath(root, target.replace(/\*$/, '')),
}));

function aliasTarget(specifier) {
  for (const p of paths) {
    if (p.wildcard ? specifier.startsWith(p.prefix) : specifier === p.prefix) {
      const file = p.wildcard ? resolvePath(p.target, specifier.slice(p.prefix.length)) : p.target;
      return file.endsWith('.js') ? file.replace(/\.js$/, '.ts') : existsSync(`${file}.ts`) ? `${file}.ts` : file;
    }
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const aliased = aliasTarget(specifier);
  if (aliased) return { url: pathToFileURL(aliased).href, shortCircuit: true, format: 'module' };
  if (specifier.endsWith('.ts') && !specifier.startsWith('node:')) {
    const url = new URL(specifier, context.parentURL ?? pathToFileURL(`${process.cwd()}/`)).href;
    return { url, shortCircuit: true, format: 'module' };
  }
  if (/^\.\.?\//.test(specifier) && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true, format: 'module' };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'es6' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
