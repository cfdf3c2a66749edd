import { Schema } from "effect"
import { NewPurchase } from "@icash/domain"
import * as HSE from "@effect/platform/HttpServerError"
const r = Schema.decodeUnknownEither(NewPurchase)({ branch_id: "x", user_id: "zz", items: [] })
console.log(r._tag === "Left" ? r.left.message : r)
console.log(Schema.decodeUnknownEither(NewPurchase.pipe(Schema.annotations({ parseOptions: { errors: "all" } })))({ branch_id: "x", user_id: "zz", items: [] }))
