import { Data, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{ readonly message: string }> {}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Holds `<dir>/icash.lock` (our pid) for the scope's lifetime: the embedded database may be opened
 * by one process only. A lock left by a process that died (a crash, `kill -9`) is taken over.
 */
export const lockDataDir = (dir: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(dir, { recursive: true })
        const lockFile = path.join(dir, "icash.lock")
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" })
            return lockFile
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
            const holder = Number(fs.readFileSync(lockFile, "utf8"))
            if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
              throw new DataDirInUse({
                message: `the embedded database in ${dir} is in use by process ${holder}. ` +
                  "Run everything in that one process (npm start), or set DATABASE_URL to use a PostgreSQL server."
              })
            }
            fs.rmSync(lockFile, { force: true })
          }
        }
        throw new DataDirInUse({ message: `could not lock ${dir}` })
      },
      catch: (error) =>
        error instanceof DataDirInUse ? error : new DataDirInUse({ message: `could not lock ${dir}: ${error}` })
    }),
    (lockFile) => Effect.sync(() => fs.rmSync(lockFile, { force: true }))
  )
