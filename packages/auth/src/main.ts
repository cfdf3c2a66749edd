import { ApiKeysRepo, CatalogRepo, DatabaseLive } from "@icash/persistence"
import { runProgram } from "@icash/runtime"
import { Console, Effect, Layer, Logger, LogLevel } from "effect"
import { KeyAdmin, KeyAdminError } from "./KeyAdmin.js"
import { formatKeys, parseKeysCommand, USAGE } from "./KeysCommand.js"
import { ensureLocalAdminKey } from "./LocalAdminKey.js"

const KeyAdminLive = KeyAdmin.Default.pipe(
  Layer.provideMerge(Layer.mergeAll(ApiKeysRepo.Default, CatalogRepo.Default)),
  Layer.provide(DatabaseLive)
)

const run = Effect.fn("keys")(function*(argv: ReadonlyArray<string>) {
  const command = yield* parseKeysCommand(argv)
  if (command._tag === "Help") return yield* Console.log(USAGE)
  const admin = yield* KeyAdmin
  const branchCodes = new Map((yield* (yield* CatalogRepo).listBranches()).map((b) => [b.id as number, b.code]))
  switch (command._tag) {
    case "Create": {
      const { key, secret } = yield* admin.create(command.key)
      const branch = key.branch_id === null ? "" : ` for branch ${branchCodes.get(key.branch_id)}`
      yield* Console.log(`Made ${key.role} key ${key.id}${branch}${key.name === null ? "" : ` (${key.name})`}.`)
      yield* Console.log("Its secret, shown this once (send it as Authorization: Bearer <secret>):")
      return yield* Console.log(secret)
    }
    case "List":
      return yield* Console.log(formatKeys(yield* admin.list(), branchCodes))
    case "EnsureAdmin":
      return yield* Console.log(`The admin key is in ${yield* ensureLocalAdminKey}.`)
    case "Revoke": {
      const key = yield* admin.revoke(command.idOrSecret)
      return yield* Console.log(`Revoked ${key.role} key ${key.id}: every running service refuses it within a second.`)
    }
  }
})

// `npm run keys -- <command>`: only warnings are logged, so that a new secret is the last line of stdout.
run(process.argv.slice(2)).pipe(
  Effect.provide(KeyAdminLive),
  Logger.withMinimumLogLevel(LogLevel.Warning),
  runProgram("keys", (error) => (error instanceof KeyAdminError ? `keys: ${error.message}` : undefined))
)
