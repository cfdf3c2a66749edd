/** The repository the bench measures: where it is, its scripts as they are now, its commit. */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"

export const repoRoot = path.resolve(import.meta.dirname, "../../..")

export const safely = <A>(f: () => A): A | undefined => {
  try {
    return f()
  } catch {
    return undefined
  }
}

/** The root package.json's scripts, as they are now (other people may change them). */
export const rootScripts = () =>
  safely(() =>
    (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts?: Record<string, string> })
      .scripts
  ) ?? {}

/** `prestart:<name> && start:<name>`: what `npm run start:<name>` runs. */
export const startScript = (name: string) => {
  const scripts = rootScripts()
  return [scripts[`prestart:${name}`], scripts[`start:${name}`]].filter((script) => script !== undefined).join(" && ")
}

export const gitCommit = () =>
  safely(() => execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim())
