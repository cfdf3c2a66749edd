import { ApiKeysRepo, CatalogRepo, DatabaseLive, DataDirInUse } from "@icash/persistence"
import { runProgram } from "@icash/runtime"
import { Console, Effect, Layer, Logger, LogLevel } from "effect"
import { CashRegisterKeyStore } from "./CashRegisterKeyStore.js"
import { KeyAdmin, KeyAdminError } from "./KeyAdmin.js"
import { formatKeys, type KeysCommand, parseKeysCommand, USAGE } from "./KeysCommand.js"
import { DatabaseKeyStore, KeyStore } from "./KeyStore.js"
import { ensureLocalAdminKey } from "./LocalAdminKey.js"

const KeyAdminLive = KeyAdmin.Default.pipe(
  Layer.provideMerge(Layer.mergeAll(ApiKeysRepo.Default, CatalogRepo.Default)),
  Layer.provide(DatabaseLive)
)

const DatabaseKeyStoreLive = DatabaseKeyStore.pipe(Layer.provide(KeyAdminLive))

type KeyStoreError = Layer.Layer.Error<typeof DatabaseKeyStoreLive | typeof CashRegisterKeyStore>

/** The database; but when `npm start` holds the embedded one, through its Cash Register. */
const KeyStoreLive = Layer.catchAll(
  DatabaseKeyStoreLive,
  (error): Layer.Layer<KeyStore, KeyStoreError> =>
    error instanceof DataDirInUse ? CashRegisterKeyStore : Layer.fail(error)
)

const manage = (command: Extract<KeysCommand, { _tag: "Create" | "List" | "Revoke" }>) =>
  Effect.gen(function*() {
    const keys = yield* KeyStore
    const branchCodes = new Map((yield* keys.branches).map((b) => [b.id as number, b.code]))
    switch (command._tag) {
      case "Create": {
        const { key, secret } = yield* keys.create(command.key)
        const branch = key.branch_id === null ? "" : ` for branch ${branchCodes.get(key.branch_id)}`
        yield* Console.log(`Made ${key.role} key ${key.id}${branch}${key.name === null ? "" : ` (${key.name})`}.`)
        yield* Console.log("Its secret, shown this once (send it as Authorization: Bearer <secret>):")
        return yield* Console.log(secret)
      }
      case "List":
        return yield* Console.log(formatKeys(yield* keys.list, branchCodes))
      case "Revoke": {
        const key = yield* keys.revoke(command.idOrSecret)
        return yield* Console.log(
          `Revoked ${key.role} key ${key.id}: every running service refuses it within a second.`
        )
      }
    }
  }).pipe(Effect.provide(KeyStoreLive))

const run = Effect.fn("keys")(function*(argv: ReadonlyArray<string>) {
  const command = yield* parseKeysCommand(argv)
  switch (command._tag) {
    case "Help":
      return yield* Console.log(USAGE)
    case "EnsureAdmin":
      return yield* Effect.flatMap(ensureLocalAdminKey, (file) => Console.log(`The admin key is in ${file}.`)).pipe(
        Effect.provide(KeyAdminLive)
      )
    default:
      return yield* manage(command)
  }
})

// `npm run keys -- <command>`: only warnings are logged, so that a new secret is the last line of stdout.
run(process.argv.slice(2)).pipe(
  Logger.withMinimumLogLevel(LogLevel.Warning),
  runProgram("keys", (error) => (error instanceof KeyAdminError ? `keys: ${error.message}` : undefined))
)
