import { HttpApiMiddleware, HttpApiSchema, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Context, Schema } from "effect"
import type { BranchId } from "./Ids.js"

/**
 * Who may do what. A `register` key belongs to one branch: it records and reads that branch's
 * purchases and reads the catalogue. An `analyst` key reads the analytics and the catalogue. An
 * `admin` key does everything (operators, the simulator, the local demo).
 */
export const Role = Schema.Literal("register", "analyst", "admin").annotations({
  identifier: "Role",
  description: "register (one branch's till), analyst (analytics) or admin (everything)"
})
export type Role = typeof Role.Type

/** The key a request was made with, once it is known to be valid and allowed. */
export class Caller extends Context.Tag("domain/Caller")<Caller, {
  readonly keyId: string
  readonly role: Role
  /** The branch a register key belongs to; absent for the other roles. */
  readonly branchId: BranchId | undefined
}>() {}

const message = (example: string) =>
  Schema.String.annotations({ description: "What is wrong, in words", examples: [example] })

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: message("missing Authorization: Bearer <key> header")
}, HttpApiSchema.annotations({ status: 401, description: "No API key, or one that is unknown or revoked" })) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  {
    message: message("an analyst key may not record purchases")
  },
  HttpApiSchema.annotations({
    status: 403,
    description: "The API key is valid but its role or branch does not allow this"
  })
) {}

export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()(
  "TooManyRequests",
  {
    message: message("this key made more than 50 requests in a second; retry after Retry-After seconds")
  },
  HttpApiSchema.annotations({ status: 429, description: "The API key is over its rate limit: retry after Retry-After" })
) {}

/** The ways a request can be refused before its endpoint runs. */
export const AccessDenied = Schema.Union(Unauthorized, Forbidden, TooManyRequests)

/** `Authorization: Bearer <key>`, declared once so Swagger UI's Authorize fills it in for every endpoint. */
const apiKey = HttpApiSecurity.bearer.pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    "An iCash API key (icash_<id>_<secret>), made with `npm run keys -- create`. `npm start` makes an admin key " +
      "on its first start and prints where it keeps it."
  )
)

const options = { failure: AccessDenied, provides: Caller, security: { apiKey } } as const

// Each access middleware lets the roles it names through: an endpoint's middleware is its permission.

/** Any valid key: the catalogue. */
export class AnyRole extends HttpApiMiddleware.Tag<AnyRole>()("domain/AnyRole", options) {
  static readonly roles: ReadonlyArray<Role> = ["register", "analyst", "admin"]
}

/** Register (of the branch concerned, which the endpoint checks) or admin keys: purchases. */
export class RegisterRole extends HttpApiMiddleware.Tag<RegisterRole>()("domain/RegisterRole", options) {
  static readonly roles: ReadonlyArray<Role> = ["register", "admin"]
}

/** Analyst or admin keys: the analytics. */
export class AnalystRole extends HttpApiMiddleware.Tag<AnalystRole>()("domain/AnalystRole", options) {
  static readonly roles: ReadonlyArray<Role> = ["analyst", "admin"]
}

/** Admin keys only: managing keys. */
export class AdminRole extends HttpApiMiddleware.Tag<AdminRole>()("domain/AdminRole", options) {
  static readonly roles: ReadonlyArray<Role> = ["admin"]
}
