import { ApiKeysRepo, DEFAULT_DATA_DIR } from "@icash/persistence"
import { Config, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { KeyAdmin } from "./KeyAdmin.js"
import { secretId, secretMatches } from "./Secret.js"

/** Where `npm start` keeps its admin key: `admin.key` in DATA_DIR (default .data), readable by its owner only. */
export const localAdminKeyFile = Effect.map(
  Config.string("DATA_DIR").pipe(Config.withDefault(DEFAULT_DATA_DIR)),
  (dir) => path.join(dir, "admin.key")
)

/** The local admin key's secret, when this machine's `npm start` has made one. */
export const readLocalAdminKey = Effect.flatMap(localAdminKeyFile, (file) =>
  Effect.sync(() => {
    try {
      const secret = fs.readFileSync(file, "utf8").trim()
      return secret === "" ? Option.none() : Option.some(secret)
    } catch {
      return Option.none<string>()
    }
  }))

/**
 * The admin key of the local all-in-one mode: the one in the data directory while the database
 * still knows it, else a new one (first start, a revoked key, another database), written there with
 * mode 0600. Returns the file's path.
 */
export const ensureLocalAdminKey = Effect.gen(function*() {
  const file = yield* localAdminKeyFile
  const existing = yield* readLocalAdminKey
  if (Option.isSome(existing)) {
    const id = secretId(existing.value)
    const key = id === undefined ? Option.none() : yield* Effect.flatMap(ApiKeysRepo, (repo) => repo.findActive(id))
    if (Option.isSome(key) && key.value.role === "admin" && secretMatches(existing.value, key.value)) return file
  }
  const admin = yield* KeyAdmin
  const created = yield* admin.create({ role: "admin", name: "local admin (npm start)" })
  yield* Effect.sync(() => {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, `${created.secret}\n`, { mode: 0o600 })
    fs.chmodSync(file, 0o600)
  })
  yield* Effect.logInfo(`made the local admin key ${created.key.id}, kept in ${file}`)
  return file
})
