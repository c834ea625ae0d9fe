import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * Visits the plain files under `root`, depth first in directory order.
 * `enter` decides which folders to walk into (depth 0 is root's own
 * children); `file` gets each file's full path and its path relative to
 * root ('/'-separated), and stops the whole walk by returning false.
 * Symbolic links are not followed, so a link loop can't hang it; a folder
 * that can't be read is passed over.
 */
export function walkFiles(root: string, enter: (name: string, depth: number) => boolean, file: (full: string, rel: string) => boolean | void): void {
  let stopped = false
  const walk = (dir: string, rel: string, depth: number): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (stopped) return
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) {
        if (enter(e.name, depth)) walk(path.join(dir, e.name), r, depth + 1)
      } else if (e.isFile() && file(path.join(dir, e.name), r) === false) {
        stopped = true
      }
    }
  }
  walk(root, '', 0)
}
