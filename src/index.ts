/** The action's entrypoint: only calls run(), so importing main.ts in tests has no side effects. */
import { run } from './main.js'

await run()
