// Bundles src/index.ts (the action) and src/cli.ts (the local command) into
// dist/. With --check, bundles in memory and fails when dist/ differs: the
// committed bundle is what GitHub runs, so it must match src/.
import * as esbuild from 'esbuild'
import { readFileSync, existsSync } from 'node:fs'
import { chmodSync } from 'node:fs'

const check = process.argv.includes('--check')
const result = await esbuild.build({
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  write: !check,
  // Some dependencies are CommonJS and call require(); give ESM output one.
  banner: { js: "import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);" }
})
if (check) {
  const stale = result.outputFiles.filter(f => !existsSync(f.path) || !readFileSync(f.path).equals(Buffer.from(f.contents)))
  if (stale.length) {
    console.error(`dist/ is stale: ${stale.map(f => f.path.replace(process.cwd() + '/', '')).join(', ')} differ from a fresh bundle of src/. Run 'npm run bundle' and commit dist/.`)
    process.exit(1)
  }
  console.log('dist/ matches src/')
} else {
  chmodSync('dist/cli.js', 0o755)
  console.log('bundled dist/index.js and dist/cli.js')
}
