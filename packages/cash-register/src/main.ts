import { DatabaseLive } from "@icash/persistence"
import { runMain } from "@icash/runtime"
import { Layer } from "effect"
import { CashRegisterServerLive } from "./Http.js"

CashRegisterServerLive.pipe(Layer.provide(DatabaseLive), runMain)
