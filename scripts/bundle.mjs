// Bundles src/index.ts (the action) and src/cli.ts (the local command) into
// dist/. With --check, bundles in memory and fails when dist/ differs: the
// committed bundle is what GitHub runs, so it must match src/.
//
// Code splitting: modules loaded with import() (the check pipeline in
// cli.ts) go to dist/chunks/, so `cli.js inspect` parses only the readers,
// not 3 MB of pipeline, @actions/* and ajv.
import * as esbuild from 'esbuild'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'

const check = process.argv.includes('--check')
const result = await esbuild.build({
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
  // Some dependencies are CommonJS and call require(); give ESM output one.
  banner: { js: "import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);" }
})

/** Every file under dist/, relative to the repo root. */
function distFiles(dir = 'dist') {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? distFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

const rel = f => path.relative(process.cwd(), f)
const wanted = new Set(result.outputFiles.map(f => rel(f.path)))
const extra = distFiles().filter(f => !wanted.has(f))
if (check) {
  const stale = result.outputFiles.filter(f => !existsSync(f.path) || !readFileSync(f.path).equals(Buffer.from(f.contents))).map(f => rel(f.path))
  if (stale.length || extra.length) {
    console.error(`dist/ is stale: ${[...stale.map(f => `${f} differs`), ...extra.map(f => `${f} is left over`)].join(', ')} against a fresh bundle of src/. Run 'npm run bundle' and commit dist/.`)
    process.exit(1)
  }
  console.log('dist/ matches src/')
} else {
  for (const f of extra) rmSync(f)
  for (const f of result.outputFiles) {
    mkdirSync(path.dirname(f.path), { recursive: true })
    writeFileSync(f.path, f.contents)
  }
  chmodSync('dist/cli.js', 0o755)
  console.log(`bundled ${[...wanted].join(', ')}`)
}
