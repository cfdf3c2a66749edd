import { type ApiKey, Role } from "@icash/domain"
import { DateTime, Either, Schema } from "effect"
import { parseArgs } from "node:util"
import { KeyAdminError, type KeyToMake } from "./KeyAdmin.js"

export const USAGE = `usage: npm run keys -- <command>

  create --role register --branch CODE [--name NAME]   a till's key: records and reads one branch's purchases
  create --role analyst [--name NAME]                  reads the analytics and the catalogue
  create --role admin [--name NAME]                    everything
  list                                                 every key: id, role, branch, name, created, last used
  revoke <id or secret>                                the key stops working on every service within a second
  ensure-admin                                         an admin key in DATA_DIR/admin.key (mode 0600), made when
                                                       that file holds none that works (what npm start does)

The secret of a new key is printed once, alone on the last line, and never stored: only its hash is.
Runs on the database DATABASE_URL names, else on the embedded one in DATA_DIR; while npm start
holds that one, create, list and revoke go through its Cash Register (with DATA_DIR/admin.key).`

export type KeysCommand =
  | { readonly _tag: "Create"; readonly key: KeyToMake }
  | { readonly _tag: "List" }
  | { readonly _tag: "Revoke"; readonly idOrSecret: string }
  | { readonly _tag: "EnsureAdmin" }
  | { readonly _tag: "Help" }

const fail = (message: string) => Either.left(new KeyAdminError({ message: `${message}\n\n${USAGE}` }))

const isRole = Schema.is(Role)

/** `npm run keys -- ...`'s command line. */
export const parseKeysCommand = (argv: ReadonlyArray<string>): Either.Either<KeysCommand, KeyAdminError> => {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        role: { type: "string" },
        branch: { type: "string" },
        name: { type: "string" }
      }
    })
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
  const { positionals, values } = parsed
  const [command, ...rest] = positionals
  if (values.help === true || command === undefined || command === "help") return Either.right({ _tag: "Help" })
  const noOptions = values.role === undefined && values.branch === undefined && values.name === undefined
  switch (command) {
    case "create": {
      if (rest.length > 0) return fail(`create takes options only, not "${rest.join(" ")}"`)
      if (values.role === undefined) return fail("create needs --role register, analyst or admin")
      if (!isRole(values.role)) return fail(`--role takes register, analyst or admin, not "${values.role}"`)
      return Either.right({ _tag: "Create", key: { role: values.role, branch: values.branch, name: values.name } })
    }
    case "list":
      return rest.length === 0 && noOptions ? Either.right({ _tag: "List" }) : fail("list takes nothing more")
    case "ensure-admin":
      return rest.length === 0 && noOptions
        ? Either.right({ _tag: "EnsureAdmin" })
        : fail("ensure-admin takes nothing more")
    case "revoke":
      return rest.length === 1 && noOptions
        ? Either.right({ _tag: "Revoke", idOrSecret: rest[0]! })
        : fail("revoke takes one key id or secret")
    default:
      return fail(`unknown command "${command}"`)
  }
}

const when = (time: DateTime.Utc | null) => (time === null ? "-" : DateTime.formatIso(time).slice(0, 19) + "Z")

/** The keys as a table for a terminal; a register key's branch by its code. */
export const formatKeys = (keys: ReadonlyArray<ApiKey>, branchCodes: ReadonlyMap<number, string>): string => {
  if (keys.length === 0) return "No API keys yet: npm run keys -- create --role admin"
  const rows = [
    ["ID", "ROLE", "BRANCH", "NAME", "CREATED", "LAST USED", "REVOKED"],
    ...keys.map((key) => [
      key.id,
      key.role,
      key.branch_id === null ? "-" : branchCodes.get(key.branch_id) ?? String(key.branch_id),
      key.name ?? "-",
      when(key.created_at),
      when(key.last_used_at),
      when(key.revoked_at)
    ])
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n")
}
