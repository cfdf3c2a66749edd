import { describe, expect, it } from "@effect/vitest"
import { lockDataDir } from "@icash/persistence"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"

const freshDir = () => mkdtempSync(path.join(tmpdir(), "icash-lock-"))

describe("the embedded database's lock", () => {
  it.effect("is held for the scope's lifetime and released after", () =>
    Effect.gen(function*() {
      const dir = freshDir()
      yield* Effect.scoped(Effect.gen(function*() {
        yield* lockDataDir(dir)
        expect(readFileSync(path.join(dir, "icash.lock"), "utf8")).toBe(String(process.pid))
      }))
      expect(existsSync(path.join(dir, "icash.lock"))).toBe(false)
    }))

  it.effect("refuses a second process while the first is alive", () =>
    Effect.gen(function*() {
      const dir = freshDir()
      const other = spawn("sleep", ["30"])
      yield* Effect.addFinalizer(() => Effect.sync(() => other.kill()))
      writeFileSync(path.join(dir, "icash.lock"), String(other.pid))
      const error = yield* Effect.flip(Effect.scoped(lockDataDir(dir)))
      expect(error.message).toContain(`in use by process ${other.pid}`)
      expect(error.message).toContain("DATABASE_URL")
    }).pipe(Effect.scoped))

  it.effect("takes over a lock left by a process that died", () =>
    Effect.gen(function*() {
      const dir = freshDir()
      const dead = spawnSync("true").pid
      writeFileSync(path.join(dir, "icash.lock"), String(dead))
      yield* Effect.scoped(Effect.gen(function*() {
        yield* lockDataDir(dir)
        expect(readFileSync(path.join(dir, "icash.lock"), "utf8")).toBe(String(process.pid))
      }))
    }))
})
