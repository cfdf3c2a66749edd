import { runProgram } from "@icash/runtime"
import { Effect } from "effect"
import { migrate, PgLive } from "./Database.js"

// `npm run migrate`: brings the database schema up to date, then exits.
migrate.pipe(Effect.provide(PgLive), runProgram("migrate"))
