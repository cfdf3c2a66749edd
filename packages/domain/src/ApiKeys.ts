import { Schema } from "effect"
import { Role } from "./Access.js"
import { BranchId } from "./Ids.js"

/** A key's public id: the part of its secret that names it (never the secret itself). */
export const ApiKeyId = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{12}$/, { message: () => "a key id is 12 hexadecimal digits" }),
  Schema.brand("ApiKeyId"),
  Schema.annotations({ identifier: "ApiKeyId", examples: ["3f9a2c1d0b4e" as never] })
)
export type ApiKeyId = typeof ApiKeyId.Type

/** What is known of a key, without its secret. */
export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  role: Role,
  branch_id: Schema.NullOr(BranchId),
  name: Schema.NullOr(Schema.String),
  created_at: Schema.DateTimeUtc,
  last_used_at: Schema.NullOr(Schema.DateTimeUtc),
  revoked_at: Schema.NullOr(Schema.DateTimeUtc)
}) {}

/** A key to make: a register key names its branch, the other roles none. */
export const NewApiKey = Schema.Struct({
  role: Role,
  branch_id: Schema.optional(BranchId),
  name: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)))
}).pipe(
  Schema.filter((key) =>
    key.role === "register"
      ? key.branch_id !== undefined || "a register key belongs to a branch: give branch_id"
      : key.branch_id === undefined || `an ${key.role} key belongs to no branch: leave branch_id out`
  ),
  // every problem at once, and a field we do not take (a misspelt branch_id, say) is one
  Schema.annotations({ identifier: "NewApiKey", parseOptions: { errors: "all", onExcessProperty: "error" } })
)
export type NewApiKey = typeof NewApiKey.Type

/** A key just made, with its secret: shown this once, never stored. */
export class CreatedApiKey extends Schema.Class<CreatedApiKey>("CreatedApiKey")({
  key: ApiKey,
  secret: Schema.String.annotations({ description: "Send as Authorization: Bearer <secret>. It is not shown again." })
}) {}
